package io.heartbeat.command.rest;

import java.net.URI;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.heartbeat.command.config.CommandConfig;
import io.heartbeat.command.service.ScheduleService;
import io.heartbeat.command.store.Schedule;
import io.heartbeat.common.rest.Page;
import io.heartbeat.common.rest.Problem;
import io.heartbeat.common.rest.Requests;
import io.heartbeat.common.security.Caller;
import io.heartbeat.common.security.Callers;
import io.smallrye.mutiny.Uni;

/** Commands on a cron schedule: create, read, list, replace, delete. */
@Path("/api/v1/schedules")
@Tag(name = "Schedules")
@SecurityRequirement(name = "jwt")
@RolesAllowed({ Caller.ADMIN, Caller.OPERATOR, Caller.VIEWER })
@Produces({ MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE })
public class ScheduleResource {

    private final ScheduleService schedules;
    private final Callers callers;
    private final int defaultPageSize;
    private final int maxPageSize;

    public ScheduleResource(ScheduleService schedules, Callers callers, CommandConfig config) {
        this.schedules = schedules;
        this.callers = callers;
        this.defaultPageSize = config.defaultPageSize();
        this.maxPageSize = config.maxPageSize();
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed({ Caller.ADMIN, Caller.OPERATOR })
    @Operation(summary = "Schedule a command", description = "{deviceId, description, cron, timeZone, command: {name, "
            + "payload, ttl, ackTimeout, maxAttempts}, enabled}. cron has five fields (minute hour day-of-month month "
            + "day-of-week) read in timeZone (an IANA id, default UTC). Each fire time makes exactly one command, "
            + "whose TTL counts from the fire time. After downtime only the newest missed fire time is made up, and "
            + "only within the command's TTL; the others are counted in missedFires.")
    @APIResponse(responseCode = "201", description = "Created, with nextFireAt")
    @APIResponse(responseCode = "404", description = "No such device in the caller's tenant")
    @APIResponse(responseCode = "409", description = "Remote control is disabled, or the device cannot receive the command")
    @APIResponse(responseCode = "422", description = "A rule is broken (cron, timeZone, command fields); errors lists each")
    public Uni<Response> create(ScheduleService.ScheduleBody body) {
        return schedules.create(callers.current(), body).map(s -> Response
                .created(URI.create("/api/v1/schedules/" + s.id())).entity(s).build());
    }

    @GET
    @Path("{id}")
    @Operation(summary = "A schedule with its next and last fire time, last command and missed fire times")
    public Uni<Schedule> get(@PathParam("id") String id) {
        return schedules.get(callers.current(), id);
    }

    @GET
    @Operation(summary = "Schedules, oldest first, by device, paged")
    public Uni<Page<Schedule>> list(@QueryParam("deviceId") String deviceId, @QueryParam("tenantId") String tenantId,
            @QueryParam("page") Integer page, @QueryParam("size") Integer size) {
        return schedules.list(callers.current(), tenantId, deviceId, Requests.page(page),
                Requests.size(size, defaultPageSize, maxPageSize));
    }

    @PUT
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed({ Caller.ADMIN, Caller.OPERATOR })
    @Operation(summary = "Replace a schedule's settings (it stays with its device); its timer restarts from now")
    @APIResponse(responseCode = "422", description = "A rule is broken, or deviceId names another device")
    public Uni<Schedule> update(@PathParam("id") String id, ScheduleService.ScheduleBody body) {
        return schedules.update(callers.current(), id, body);
    }

    @DELETE
    @Path("{id}")
    @RolesAllowed({ Caller.ADMIN, Caller.OPERATOR })
    @Operation(summary = "Delete a schedule; commands it made stay")
    @APIResponse(responseCode = "204", description = "Deleted")
    public Uni<Response> delete(@PathParam("id") String id) {
        return schedules.delete(callers.current(), id).map(ignored -> Response.noContent().build());
    }
}
