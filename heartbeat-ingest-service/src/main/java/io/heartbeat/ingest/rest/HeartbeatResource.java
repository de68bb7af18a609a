package io.heartbeat.ingest.rest;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.heartbeat.common.rest.Problem;
import io.heartbeat.common.rest.ProblemMapper;
import io.heartbeat.contracts.Channel;
import io.heartbeat.contracts.DeviceView;
import io.heartbeat.contracts.HeartbeatKind;
import io.heartbeat.contracts.RejectReason;
import io.heartbeat.ingest.service.HeartbeatIntake;
import io.heartbeat.ingest.service.HeartbeatIntake.Outcome;
import io.heartbeat.ingest.service.HeartbeatIntake.Submission;
import io.heartbeat.ingest.service.Refusal;
import io.smallrye.mutiny.Uni;

/**
 * HTTP heartbeats: {@code POST /api/v1/heartbeats} with {@code Authorization: Bearer <device API token or device JWT>}
 * and an optional JSON body. 200 only once Kafka has the heartbeat; every refusal is problem JSON whose type names the
 * reason.
 */
@Path("/api/v1/heartbeats")
@Tag(name = "Heartbeats")
public class HeartbeatResource {

    private static final String BEARER = "Bearer ";

    private final HeartbeatIntake intake;

    public HeartbeatResource(HeartbeatIntake intake) {
        this.intake = intake;
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces({ MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE })
    @Operation(summary = "Send a heartbeat", description = "Optional body: status, timestamp (ISO-8601), device_id and"
            + " telemetry (voltage, current, power, energy, relay, heart_rate, ...)")
    public Uni<Response> heartbeat(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, byte[] body, UriInfo uri) {
        Submission submission = new Submission(Channel.HTTP, HeartbeatKind.HEARTBEAT, "/" + uri.getPath()
                .replaceFirst("^/", ""), bearer(authorization), null, body, isJson(contentType));
        return intake.receive(submission).map(outcome -> answer(outcome, uri));
    }

    private static Response answer(Outcome outcome, UriInfo uri) {
        if (outcome.isAccepted()) {
            DeviceView device = outcome.device();
            return Response.ok(new HeartbeatResponse(true, outcome.accepted().receivedAt(),
                    device.thresholds().heartbeatIntervalSeconds(), device.remoteControlEnabled(), outcome.shouldReconnect()))
                    .type(MediaType.APPLICATION_JSON).build();
        }
        Refusal refusal = outcome.refusal();
        int status = status(refusal.reason());
        Response.ResponseBuilder response = Response.status(status).type(Problem.MEDIA_TYPE)
                .entity(Problem.of(slug(refusal.reason()), title(refusal.reason()), status, refusal.detail(),
                        ProblemMapper.path(uri)));
        if (status == 401) {
            response.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        }
        if (refusal.retryAfter() != null) {
            response.header(HttpHeaders.RETRY_AFTER, refusal.retryAfter().toSeconds());
        }
        return response.build();
    }

    static int status(RejectReason reason) {
        switch (reason) {
            case MALFORMED_JSON:
            case MISSING_FIELD:
            case INVALID_FIELD:
            case INVALID_DEVICE_ID:
                return 400;
            case UNAUTHENTICATED:
            case INVALID_CREDENTIAL:
            case EXPIRED_CREDENTIAL:
            case UNKNOWN_DEVICE:
                return 401;
            case DEVICE_DISABLED:
            case DEVICE_ID_MISMATCH:
                return 403;
            case PAYLOAD_TOO_LARGE:
                return 413;
            case UNSUPPORTED_MEDIA_TYPE:
                return 415;
            case OUT_OF_RANGE:
            case CLOCK_SKEW:
            case TOO_OLD:
                return 422;
            case RATE_LIMITED:
                return 429;
            default:
                return 503;
        }
    }

    /** The problem type slug: the reason in lower case with dashes, e.g. {@code rate-limited}. */
    static String slug(RejectReason reason) {
        return reason.name().toLowerCase().replace('_', '-');
    }

    private static String title(RejectReason reason) {
        String words = reason.name().toLowerCase().replace('_', ' ');
        return Character.toUpperCase(words.charAt(0)) + words.substring(1);
    }

    private static String bearer(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        return authorization.substring(BEARER.length()).strip();
    }

    private static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        String type = contentType.split(";", 2)[0].strip().toLowerCase();
        return type.equals(MediaType.APPLICATION_JSON) || type.endsWith("+json");
    }
}
