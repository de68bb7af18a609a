package io.heartbeat.ingest.rest;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.heartbeat.common.error.DomainException;
import io.heartbeat.common.rest.Problem;
import io.heartbeat.common.rest.ProblemMapper;
import io.heartbeat.common.rest.Requests;
import io.heartbeat.common.security.Caller;
import io.heartbeat.common.security.Callers;
import io.heartbeat.contracts.Channel;
import io.heartbeat.contracts.DeviceView;
import io.heartbeat.contracts.HeartbeatKind;
import io.heartbeat.contracts.RejectReason;
import io.heartbeat.ingest.config.IngestConfig;
import io.heartbeat.ingest.service.DeviceDirectory;
import io.heartbeat.ingest.service.HeartbeatIntake;
import io.heartbeat.ingest.service.HeartbeatIntake.Outcome;
import io.heartbeat.ingest.service.HeartbeatIntake.Submission;
import io.heartbeat.ingest.service.Refusal;
import io.heartbeat.ingest.telemetry.TelemetryStore;
import io.heartbeat.ingest.telemetry.TelemetryStore.Entry;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;

/**
 * HTTP heartbeats: {@code POST /api/v1/heartbeats} with {@code Authorization: Bearer <device API token or device JWT>}
 * and an optional JSON body. 200 only once Kafka has the heartbeat; every refusal is problem JSON whose type names the
 * reason. {@code GET /api/v1/heartbeats/{deviceId}} returns a device's telemetry history to users of its tenant.
 */
@Path("/api/v1/heartbeats")
@Tag(name = "Heartbeats")
public class HeartbeatResource {

    private static final String BEARER = "Bearer ";

    /** The window a history request covers when it names no {@code from}. */
    static final Duration DEFAULT_WINDOW = Duration.ofHours(24);

    private final HeartbeatIntake intake;
    private final TelemetryStore telemetry;
    private final DeviceDirectory directory;
    private final Callers callers;
    private final IngestConfig.Telemetry config;
    private final Clock clock;

    public HeartbeatResource(HeartbeatIntake intake, TelemetryStore telemetry, DeviceDirectory directory,
            Callers callers, IngestConfig config, Clock clock) {
        this.intake = intake;
        this.telemetry = telemetry;
        this.directory = directory;
        this.callers = callers;
        this.config = config.telemetry();
        this.clock = clock;
    }

    @POST
    @PermitAll
    @Consumes(MediaType.WILDCARD)
    @Produces({ MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE })
    @Operation(summary = "Send a heartbeat", description = "Optional body: status, timestamp (ISO-8601), device_id and"
            + " telemetry (voltage, current, power, energy, relay, heart_rate, ...). A reading out of its range is not"
            + " stored and is named in refused_fields of the 200 answer; the heartbeat itself is accepted.")
    public Uni<Response> heartbeat(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, byte[] body, UriInfo uri,
            @Context HttpServerRequest request) {
        Submission submission = new Submission(Channel.HTTP, HeartbeatKind.HEARTBEAT, "/" + uri.getPath()
                .replaceFirst("^/", ""), origin(request), bearer(authorization), null, body, isJson(contentType));
        return intake.receive(submission).map(outcome -> answer(outcome, uri));
    }

    @GET
    @Path("{deviceId}")
    @RolesAllowed({ Caller.ADMIN, Caller.OPERATOR, Caller.VIEWER })
    @SecurityRequirement(name = "jwt")
    @Produces({ MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE })
    @Operation(summary = "A device's heartbeat and telemetry history", description = "Newest first, by the time"
            + " ingest received each heartbeat. Users see the devices of their tenant; another tenant's device is 404."
            + " History is kept for heartbeat.ingest.telemetry.retention-days (30 by default).")
    public Uni<HistoryResponse> history(@PathParam("deviceId") String deviceId,
            @Parameter(description = "ISO-8601 instant, inclusive; default: 24 h before to") @QueryParam("from") String from,
            @Parameter(description = "ISO-8601 instant, exclusive; default: now") @QueryParam("to") String to,
            @Parameter(description = "rows per page, 1 to heartbeat.ingest.telemetry.max-limit (1000); default 100") @QueryParam("limit") String limit) {
        Caller caller = callers.current();
        plainText(deviceId, "deviceId");
        plainText(from, "from");
        plainText(to, "to");
        Instant end = to == null ? clock.instant() : Requests.instant(to, "to");
        Instant start = from == null ? end.minus(DEFAULT_WINDOW) : Requests.instant(from, "from");
        if (!start.isBefore(end)) {
            throw new BadRequestException("from must be before to");
        }
        int rows = limit == null ? config.defaultLimit() : integer(limit, "limit");
        if (rows < 1 || rows > config.maxLimit()) {
            throw new BadRequestException("limit must be from 1 to " + config.maxLimit());
        }
        String tenant = caller.isAdmin() ? null : caller.tenant();
        boolean known = directory.find(deviceId).map(d -> caller.sees(d.tenantId())).orElse(false);
        boolean foreign = directory.find(deviceId).map(d -> !caller.sees(d.tenantId())).orElse(false);
        if (foreign) {
            return Uni.createFrom().failure(new DomainException.NotFound("device", deviceId));
        }
        Uni<Boolean> visible = known ? Uni.createFrom().item(true) : telemetry.exists(deviceId, tenant);
        return visible.flatMap(yes -> {
            if (!yes) {
                return Uni.createFrom().failure(new DomainException.NotFound("device", deviceId));
            }
            return telemetry.history(deviceId, tenant, start, end, rows).map(items -> page(deviceId, start, end, rows,
                    items));
        });
    }

    /**
     * A query parameter of the wrong type is a 400 problem (JAX-RS would answer 404 for an Integer parameter that does
     * not convert).
     */
    private int integer(String value, String name) {
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new BadRequestException(name + " must be a whole number from 1 to " + config.maxLimit());
        }
    }

    /** Control characters (NUL and the like) in a path id or query value are a 400, never reach SQL. */
    private static void plainText(String value, String name) {
        if (value == null) {
            return;
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw new BadRequestException(name + " must not contain control characters");
            }
        }
    }

    private static HistoryResponse page(String deviceId, Instant from, Instant to, int limit, List<Entry> items) {
        Instant next = items.size() < limit ? null : items.get(items.size() - 1).receivedAt();
        return new HistoryResponse(deviceId, from, to, items, next);
    }

    private static Response answer(Outcome outcome, UriInfo uri) {
        if (outcome.isAccepted()) {
            DeviceView device = outcome.device();
            List<HeartbeatResponse.RefusedField> refused = outcome.refusedFields().stream()
                    .map(f -> new HeartbeatResponse.RefusedField(f.field(), f.detail())).toList();
            return Response.ok(new HeartbeatResponse(true, outcome.accepted().receivedAt(),
                    device.thresholds().heartbeatIntervalSeconds(), device.remoteControlEnabled(), outcome.shouldReconnect(),
                    refused))
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

    /**
     * The address the request came from: the peer's, or behind a trusted proxy (quarkus.http.proxy.*) the client's it
     * names.
     */
    private static String origin(HttpServerRequest request) {
        SocketAddress remote = request.remoteAddress();
        return remote == null ? null : remote.hostAddress();
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
