package io.heartbeat.registry.rest;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.hibernate.exception.ConstraintViolationException;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import io.heartbeat.common.rest.Problem;
import io.heartbeat.common.rest.ProblemMapper;

/**
 * The one failure the shared {@link ProblemMapper} cannot know: a database constraint the registry's own checks did
 * not catch first (e.g. two concurrent creations of one id) is a 409 conflict, not a 500.
 */
public class ConstraintProblems {

    @ServerExceptionMapper
    public Response constraint(ConstraintViolationException e, UriInfo uri) {
        return ProblemMapper.respond(Problem.of("conflict", "Conflict", 409,
                "The change conflicts with existing data (" + e.getConstraintName() + ")", ProblemMapper.path(uri)));
    }
}
