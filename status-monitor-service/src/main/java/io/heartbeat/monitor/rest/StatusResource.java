package io.heartbeat.monitor.rest;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestStreamElementType;

import io.heartbeat.common.error.DomainException;
import io.heartbeat.common.rest.Page;
import io.heartbeat.common.rest.Problem;
import io.heartbeat.common.rest.Requests;
import io.heartbeat.common.security.Caller;
import io.heartbeat.common.security.Callers;
import io.heartbeat.contracts.DeviceState;
import io.heartbeat.contracts.DeviceStatusChanged;
import io.heartbeat.monitor.config.MonitorConfig;
import io.heartbeat.monitor.engine.DeviceStatus;
import io.heartbeat.monitor.messaging.StatusStream;
import io.heartbeat.monitor.service.StatusQueries;
import io.heartbeat.monitor.service.StatusQueries.TransitionRow;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/** Reading liveness: current status, lists, counts, transition history and the live stream. */
@Path("/api/v1/status")
@Tag(name = "Status")
@SecurityRequirement(name = "jwt")
@RolesAllowed({ Caller.ADMIN, Caller.OPERATOR, Caller.VIEWER })
@Produces({ MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE })
public class StatusResource {

    /**
     * A device's liveness.
     *
     * @param heartbeatAgeMs milliseconds since the last heartbeat reached ingest, at the time of the answer
     * @param nextDeadlineAt when the next timeout transition is due if no heartbeat comes
     */
    public record StatusView(String deviceId, String tenantId, String profileId, DeviceState state, Instant since,
            Instant lastHeartbeatAt, Long heartbeatAgeMs, Instant nextDeadlineAt, boolean tracked,
            int heartbeatIntervalSeconds, int connectedWithinSeconds, int disconnectedAfterSeconds) {

        static StatusView of(DeviceStatus s, Instant now) {
            DeviceStatus.Limits l = s.limits();
            return new StatusView(s.deviceId(), s.tenantId(), s.profileId(), s.state(), s.since(), s.lastHeartbeatAt(),
                    s.heartbeatAgeMs(now), s.deadlineAt(), s.tracked(), l.intervalSeconds(), l.connectedWithinSeconds(),
                    l.disconnectedAfterSeconds());
        }
    }

    private final StatusQueries queries;
    private final StatusStream stream;
    private final Callers callers;
    private final MonitorConfig config;
    private final Clock clock;

    public StatusResource(StatusQueries queries, StatusStream stream, Callers callers, MonitorConfig config,
            Clock clock) {
        this.queries = queries;
        this.stream = stream;
        this.callers = callers;
        this.config = config;
        this.clock = clock;
    }

    @GET
    @Path("devices/{id}")
    @Operation(summary = "A device's current liveness state, since when, and its last heartbeat")
    public Uni<StatusView> get(@PathParam("id") String id) {
        Caller caller = callers.current();
        return visible(caller, id).map(s -> StatusView.of(s, clock.instant()));
    }

    @GET
    @Path("devices")
    @Operation(summary = "Devices' liveness, filtered by state, profile and change time, paged")
    public Uni<Page<StatusView>> list(@QueryParam("state") String state, @QueryParam("profileId") String profileId,
            @QueryParam("changedSince") String changedSince, @QueryParam("tenantId") String tenantId,
            @QueryParam("page") Integer page, @QueryParam("size") Integer size) {
        Caller caller = callers.current();
        int p = Requests.page(page);
        int s = Requests.size(size, config.defaultPageSize(), config.maxPageSize());
        Instant now = clock.instant();
        return queries.list(caller.scope(tenantId), Requests.enumValue(state, DeviceState.class, "state"), profileId,
                Requests.instant(changedSince, "changedSince"), p, s)
                .map(pg -> new Page<>(pg.items().stream().map(d -> StatusView.of(d, now)).toList(), pg.page(),
                        pg.size(), pg.totalItems(), pg.totalPages()));
    }

    @GET
    @Path("counts")
    @Operation(summary = "How many devices are in each state")
    public Uni<Map<DeviceState, Long>> counts(@QueryParam("tenantId") String tenantId) {
        return queries.counts(callers.current().scope(tenantId));
    }

    @GET
    @Path("devices/{id}/transitions")
    @Operation(summary = "A device's state changes, newest first, with reason and heartbeat age")
    public Uni<Page<TransitionRow>> transitions(@PathParam("id") String id, @QueryParam("page") Integer page,
            @QueryParam("size") Integer size) {
        Caller caller = callers.current();
        int p = Requests.page(page);
        int s = Requests.size(size, config.defaultPageSize(), config.maxPageSize());
        return visible(caller, id).flatMap(status -> queries.transitions(status, p, s));
    }

    @GET
    @Path("stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @Operation(summary = "Server-sent events: every transition of the caller's tenant from now on")
    public Multi<DeviceStatusChanged> stream() {
        Caller caller = callers.current();
        return stream.transitions(caller.isAdmin() ? null : caller.tenant());
    }

    private Uni<DeviceStatus> visible(Caller caller, String id) {
        return queries.find(id).map(s -> {
            if (s == null || !caller.sees(s.tenantId())) {
                throw new DomainException.NotFound("device status", id);
            }
            return s;
        });
    }
}
