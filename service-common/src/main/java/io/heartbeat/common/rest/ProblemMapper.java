package io.heartbeat.common.rest;

import java.util.List;
import java.util.UUID;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;

import io.heartbeat.common.error.DomainException;
import io.heartbeat.contracts.JsonLimits;
import io.quarkus.logging.Log;
import io.quarkus.security.AuthenticationCompletionException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;

/**
 * Turns every failure into RFC 9457 problem JSON with a stable type. Shared by every service (this jar carries a
 * Jandex index, so Quarkus finds the mappers); a service adds its own mappers for exceptions only it knows (e.g.
 * database constraint violations). Clients never see class names or stack traces;
 * an unexpected error is logged with an id that the response repeats.
 */
public class ProblemMapper {

    @ServerExceptionMapper
    public Response domain(DomainException e, UriInfo uri) {
        int status = status(e);
        List<DomainException.FieldError> errors = null;
        if (e instanceof DomainException.Invalid i) {
            errors = i.errors();
        } else if (e instanceof DomainException.Conflict c && !c.errors().isEmpty()) {
            errors = c.errors();
        }
        return respond(new Problem("/problems/" + e.type(), title(status), status, e.getMessage(), path(uri),
                errors));
    }

    @ServerExceptionMapper({ JsonProcessingException.class, JsonParseException.class, MismatchedInputException.class,
            InvalidFormatException.class, ValueInstantiationException.class, UnrecognizedPropertyException.class })
    public Response unreadableJson(JsonProcessingException e, UriInfo uri) {
        JsonLimits.Violation violation = cause(e, JsonLimits.Violation.class);
        if (violation != null) {
            String at = violation.path().isEmpty() ? "" : " at '" + violation.path() + "'";
            return respond(Problem.of("malformed-request", "Malformed request", 400,
                    "The body is not valid for this request" + at + ": " + violation.reason(), path(uri)));
        }
        String where = "";
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            where = " at '" + path(m) + "'";
        }
        String reason;
        if (e instanceof UnrecognizedPropertyException u) {
            reason = "'" + u.getPropertyName() + "' is not a field of this request";
        } else if (e instanceof InvalidFormatException f) {
            reason = "'" + f.getValue() + "' is not " + expected(f.getTargetType());
        } else if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
            reason = "expected " + expected(m.getTargetType());
        } else if (e instanceof StreamConstraintsException) {
            reason = "over a size limit (" + e.getOriginalMessage() + ")";
        } else if (e instanceof JsonParseException) {
            reason = "not well-formed JSON (line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ")";
        } else {
            reason = "unreadable JSON";
        }
        return respond(Problem.of("malformed-request", "Malformed request", 400,
                "The body is not valid for this request" + where + ": " + reason, path(uri)));
    }

    /** What a client should have sent, in JSON terms; never a Java class name. */
    public static String expected(Class<?> type) {
        if (type.isEnum()) {
            return "one of " + java.util.Arrays.toString(type.getEnumConstants());
        } else if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        } else if (Number.class.isAssignableFrom(type) || type.isPrimitive()) {
            return "a number";
        } else if (type == String.class) {
            return "a string";
        } else if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        return "a JSON object";
    }

    @ServerExceptionMapper({ UnauthorizedException.class, AuthenticationFailedException.class,
            AuthenticationCompletionException.class })
    public Response unauthenticated(RuntimeException e, UriInfo uri) {
        return Response.status(401)
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                .type(Problem.MEDIA_TYPE)
                .entity(Problem.of("unauthenticated", "Unauthenticated", 401,
                        "A valid bearer token is required (missing, expired, or not signed by a trusted key)",
                        path(uri)))
                .build();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, UriInfo uri) {
        return respond(Problem.of("forbidden", "Forbidden", 403, "Your role does not allow this", path(uri)));
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, UriInfo uri) {
        int status = e.getResponse().getStatus();
        JsonProcessingException json = cause(e, JsonProcessingException.class);
        if (json != null) {
            return unreadableJson(json, uri);
        }
        if (e instanceof jakarta.ws.rs.NotFoundException && e.getCause() != null) {
            // Jakarta REST's answer to a query or path parameter it could not convert (TypedParams covers numbers)
            return respond(Problem.of("bad-request", title(400), 400,
                    "A query or path parameter has the wrong type", path(uri)));
        }
        if (status >= 500) {
            return unexpected(e, uri);
        }
        String slug = switch (status) {
            case 404 -> "not-found";
            case 405 -> "method-not-allowed";
            case 406 -> "not-acceptable";
            case 413 -> "payload-too-large";
            case 415 -> "unsupported-media-type";
            default -> "bad-request";
        };
        return respond(Problem.of(slug, title(status), status, e.getMessage(), path(uri)));
    }

    /** Seconds a client is asked to wait before it tries again while the database is unavailable. */
    public static final int RETRY_AFTER_SECONDS = 5;

    @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER + 1000)
    public Response unexpected(Throwable e, UriInfo uri) {
        if (io.heartbeat.common.batch.SqlFaults.unavailable(e)) {
            // an outage, not a bug: the same request may succeed shortly (readiness says so too, through the
            // datasource's health check)
            Log.warnf("database unavailable on %s: %s", path(uri), e.getMessage());
            return Response.status(503).header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS).type(Problem.MEDIA_TYPE)
                    .entity(Problem.of("database-unavailable", title(503), 503,
                            "The service's database cannot be reached right now; try again in "
                                    + RETRY_AFTER_SECONDS + " s",
                            path(uri)))
                    .build();
        }
        String id = UUID.randomUUID().toString();
        Log.errorf(e, "unexpected error %s on %s", id, path(uri));
        return respond(Problem.of("internal-error", "Internal error", 500,
                "An unexpected error occurred; quote " + id + " when reporting it", path(uri)));
    }

    /** The first exception of {@code type} in {@code e}'s cause chain, {@code e} included. */
    static <T extends Throwable> T cause(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    public static int status(DomainException e) {
        if (e instanceof DomainException.NotFound) {
            return 404;
        } else if (e instanceof DomainException.Conflict) {
            return 409;
        } else if (e instanceof DomainException.Forbidden) {
            return 403;
        } else if (e instanceof DomainException.RevisionMismatch) {
            return 412;
        } else if (e instanceof DomainException.Invalid) {
            return 422;
        }
        return 503;
    }

    /** The problem as a response with its status and the problem media type. */
    public static Response respond(Problem p) {
        return Response.status(p.status()).type(Problem.MEDIA_TYPE).entity(p).build();
    }

    private static String path(JsonMappingException m) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : m.getPath()) {
            if (r.getFieldName() != null) {
                sb.append(sb.isEmpty() ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    /** The request path as the problem's {@code instance}. */
    public static String path(UriInfo uri) {
        return uri == null ? null : "/" + uri.getPath().replaceFirst("^/", "");
    }

    private static String title(int status) {
        if (status == 422) {
            return "Unprocessable Content";
        }
        Response.Status s = Response.Status.fromStatusCode(status);
        return s != null ? s.getReasonPhrase() : "Error";
    }
}
