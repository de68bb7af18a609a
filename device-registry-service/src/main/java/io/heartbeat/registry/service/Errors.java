package io.heartbeat.registry.service;

import java.util.ArrayList;
import java.util.List;

import io.heartbeat.common.error.DomainException;

/** Collects every field error of an input so the client learns all of them at once. */
final class Errors {

    private final List<DomainException.FieldError> errors = new ArrayList<>();

    Errors add(String field, String message) {
        errors.add(new DomainException.FieldError(field, message));
        return this;
    }

    Errors check(boolean ok, String field, String message) {
        if (!ok) {
            add(field, message);
        }
        return this;
    }

    /** Adds every error of {@code other}, each field prefixed (e.g. {@code devices[3].} in a batch). */
    Errors addAll(String prefix, Errors other) {
        for (DomainException.FieldError e : other.errors) {
            add(prefix + e.field(), e.message());
        }
        return this;
    }

    boolean isEmpty() {
        return errors.isEmpty();
    }

    void throwIfAny() {
        if (!errors.isEmpty()) {
            throw new DomainException.Invalid(errors);
        }
    }
}
