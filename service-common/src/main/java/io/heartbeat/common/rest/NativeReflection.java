package io.heartbeat.common.rest;

import io.heartbeat.common.error.DomainException;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The types of every service's answers that Jackson writes reflectively outside a REST signature (problem JSON from
 * the request guard and the body limit, pages), kept for a native image. service-common is indexed, so Quarkus sees
 * this in every service. deployment-tests NativeReflectionTest fails when a serialized type is missing.
 */
@RegisterForReflection(targets = { Problem.class, DomainException.FieldError.class, Page.class, Requests.Paging.class })
public final class NativeReflection {

    private NativeReflection() {
    }
}
