package io.heartbeat.common.error;

import java.util.List;

/**
 * What can go wrong in a service's logic, each with a stable problem type. The REST layer turns these into RFC
 * 9457 problem JSON; nothing else reaches a client.
 */
public abstract sealed class DomainException extends RuntimeException {

    protected DomainException(String message) {
        super(message, null, false, false);
    }

    /** Stable slug for the problem {@code type}. */
    public abstract String type();

    /** A named thing does not exist, or exists in a tenant the caller cannot see (no existence leak). */
    public static final class NotFound extends DomainException {
        public NotFound(String what, String id) {
            super(what + " '" + id + "' does not exist");
        }

        @Override
        public String type() {
            return "not-found";
        }
    }

    /** The request conflicts with the current state (an id already taken, a profile still in use). */
    public static final class Conflict extends DomainException {
        private final String type;
        private final List<FieldError> errors;

        public Conflict(String type, String message) {
            this(type, message, List.of());
        }

        /** A conflict that names the offending fields, e.g. each item of a batch whose id is taken. */
        public Conflict(String type, String message, List<FieldError> errors) {
            super(message);
            this.type = type;
            this.errors = List.copyOf(errors);
        }

        /** The offending fields; empty when the message says it all. */
        public List<FieldError> errors() {
            return errors;
        }

        @Override
        public String type() {
            return type;
        }
    }

    /** The caller's role or tenant does not allow this. */
    public static final class Forbidden extends DomainException {
        public Forbidden(String message) {
            super(message);
        }

        @Override
        public String type() {
            return "forbidden";
        }
    }

    /** An {@code If-Match} revision no longer matches. */
    public static final class RevisionMismatch extends DomainException {
        public RevisionMismatch(long expected, long actual) {
            super("revision " + expected + " was expected but the current revision is " + actual);
        }

        @Override
        public String type() {
            return "revision-mismatch";
        }
    }

    /** Well-formed input that breaks a rule; one entry per offending field. */
    public static final class Invalid extends DomainException {
        private final List<FieldError> errors;

        public Invalid(List<FieldError> errors) {
            super(errors.size() == 1 ? errors.get(0).field() + ": " + errors.get(0).message()
                    : errors.size() + " fields are invalid");
            this.errors = List.copyOf(errors);
        }

        public Invalid(String field, String message) {
            this(List.of(new FieldError(field, message)));
        }

        public List<FieldError> errors() {
            return errors;
        }

        @Override
        public String type() {
            return "validation-failed";
        }
    }

    /** A feature that needs configuration the deployment did not provide. */
    public static final class Unavailable extends DomainException {
        public Unavailable(String message) {
            super(message);
        }

        @Override
        public String type() {
            return "unavailable";
        }
    }

    public record FieldError(String field, String message) {
    }
}
