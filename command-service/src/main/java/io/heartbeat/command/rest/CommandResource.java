package io.heartbeat.command.rest;

import java.net.URI;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
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
import io.heartbeat.command.service.CommandService;
import io.heartbeat.command.store.Command;
import io.heartbeat.command.store.CommandStore;
import io.heartbeat.common.rest.Page;
import io.heartbeat.common.rest.Problem;
import io.heartbeat.common.rest.Requests;
import io.heartbeat.common.security.Caller;
import io.heartbeat.common.security.Callers;
import io.heartbeat.contracts.CommandStatus;
import io.smallrye.mutiny.Uni;

/** Commands to devices: create (idempotent with a key), read, history, cancel, replay. */
@Path("/api/v1/commands")
@Tag(name = "Commands")
@SecurityRequirement(name = "jwt")
@RolesAllowed({ Caller.ADMIN, Caller.OPERATOR, Caller.VIEWER })
@Produces({ MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE })
public class CommandResource {

    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    private final CommandService service;
    private final Callers callers;
    private final int defaultPageSize;
    private final int maxPageSize;

    public CommandResource(CommandService service, Callers callers, CommandConfig config) {
        this.service = service;
        this.callers = callers;
        this.defaultPageSize = config.defaultPageSize();
        this.maxPageSize = config.maxPageSize();
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed({ Caller.ADMIN, Caller.OPERATOR })
    @Operation(summary = "Send a command to a device", description = "Queued at once; sent while the device is "
            + "CONNECTED, in creation order, else kept until it reconnects or its TTL passes. ttl and ackTimeout are "
            + "ISO-8601 durations (defaults PT1H, at most P2D; PT10S); maxAttempts 1..10 (default 3). The same "
            + "Idempotency-Key again answers the first command with 200.")
    @APIResponse(responseCode = "201", description = "Queued")
    @APIResponse(responseCode = "200", description = "An earlier request with this Idempotency-Key created it")
    @APIResponse(responseCode = "404", description = "No such device in the caller's tenant")
    @APIResponse(responseCode = "409", description = "Remote control is disabled, or the device's queue is full")
    @APIResponse(responseCode = "422", description = "A rule is broken; errors lists each field")
    public Uni<Response> create(@HeaderParam(IDEMPOTENCY_KEY) String idempotencyKey,
            CommandService.CreateCommand body) {
        return service.create(callers.current(), body, idempotencyKey, null).map(CommandResource::created);
    }

    @GET
    @Path("{id}")
    @Operation(summary = "A command with its status, attempts, result and round trip")
    public Uni<Command> get(@PathParam("id") String id) {
        return service.get(callers.current(), id);
    }

    @GET
    @Path("{id}/transitions")
    @Operation(summary = "Every status change of a command with its time, oldest first")
    public Uni<List<CommandStore.Transition>> transitions(@PathParam("id") String id) {
        return service.transitions(callers.current(), id);
    }

    @GET
    @Operation(summary = "Command history, newest first, filtered by device, status and creation time, paged")
    public Uni<Page<Command>> list(@QueryParam("deviceId") String deviceId, @QueryParam("status") String status,
            @QueryParam("since") String since, @QueryParam("tenantId") String tenantId,
            @QueryParam("page") Integer page, @QueryParam("size") Integer size) {
        Caller caller = callers.current();
        int p = Requests.page(page);
        int s = Requests.size(size, defaultPageSize, maxPageSize);
        return service.list(caller, tenantId, deviceId, Requests.enumValue(status, CommandStatus.class, "status"),
                Requests.instant(since, "since"), p, s);
    }

    @POST
    @Path("{id}/cancel")
    @RolesAllowed({ Caller.ADMIN, Caller.OPERATOR })
    @Operation(summary = "Cancel a command that is not final yet")
    @APIResponse(responseCode = "409", description = "The command is final already")
    public Uni<Command> cancel(@PathParam("id") String id) {
        return service.cancel(callers.current(), id);
    }

    @POST
    @Path("{id}/replay")
    @RolesAllowed({ Caller.ADMIN, Caller.OPERATOR })
    @Operation(summary = "Send a DEAD_LETTERED, EXPIRED or FAILED command again, as a new command (replayOf names the old one)")
    @APIResponse(responseCode = "201", description = "The new command")
    @APIResponse(responseCode = "409", description = "The command is not in a replayable status")
    public Uni<Response> replay(@PathParam("id") String id, @HeaderParam(IDEMPOTENCY_KEY) String idempotencyKey) {
        return service.replay(callers.current(), id, idempotencyKey).map(CommandResource::created);
    }

    private static Response created(CommandStore.Created c) {
        if (!c.created()) {
            return Response.ok(c.command()).build();
        }
        return Response.created(URI.create("/api/v1/commands/" + c.command().id())).entity(c.command()).build();
    }
}
