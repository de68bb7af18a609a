package io.heartbeat.registry.rest;

import java.net.URI;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.heartbeat.common.error.DomainException;
import io.heartbeat.common.security.Caller;
import io.heartbeat.common.security.Callers;
import io.heartbeat.registry.rest.Dtos.ProfileResponse;
import io.heartbeat.registry.service.ProfileChange;
import io.heartbeat.registry.service.ProfileDraft;
import io.heartbeat.registry.service.ProfileService;
import io.smallrye.mutiny.Uni;

@Path("/api/v1/profiles")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Profiles", description = "Heartbeat interval and thresholds shared by devices")
public class ProfileResource {

    private final ProfileService service;
    private final Callers callers;

    public ProfileResource(ProfileService service, Callers callers) {
        this.service = service;
        this.callers = callers;
    }

    @GET
    @RolesAllowed({ Caller.ADMIN, Caller.OPERATOR, Caller.VIEWER })
    @Operation(summary = "List profiles")
    public Uni<List<ProfileResponse>> list() {
        return service.list().map(ps -> ps.stream().map(ProfileResponse::of).toList());
    }

    @GET
    @Path("{id}")
    @RolesAllowed({ Caller.ADMIN, Caller.OPERATOR, Caller.VIEWER })
    @Operation(summary = "Read a profile")
    public Uni<ProfileResponse> get(@PathParam("id") String id) {
        return service.find(id)
                .onItem().ifNotNull().transform(ProfileResponse::of)
                .onItem().ifNull().failWith(() -> new DomainException.NotFound("profile", id));
    }

    @POST
    @RolesAllowed(Caller.ADMIN)
    @Operation(summary = "Create a profile", description = "Absent thresholds take the defaults: interval 30 s, "
            + "connected within 40 s, disconnected after 300 s, at least 10 s between heartbeats, at most 10 a "
            + "minute. Requires interval <= connectedWithin < disconnectedAfter and spacing <= interval.")
    @APIResponse(responseCode = "201", description = "Created")
    @APIResponse(responseCode = "422", description = "Inconsistent thresholds, with the reason")
    public Uni<Response> create(ProfileDraft draft) {
        if (draft == null) {
            throw new DomainException.Invalid("body", "a profile is required");
        }
        return service.create(callers.current(), draft).map(p -> Response
                .created(URI.create("/api/v1/profiles/" + p.id)).entity(ProfileResponse.of(p)).build());
    }

    @PATCH
    @Path("{id}")
    @Consumes({ DeviceResource.MERGE_PATCH, MediaType.APPLICATION_JSON })
    @RolesAllowed(Caller.ADMIN)
    @Operation(summary = "Change a profile", description = "Absent fields stay. A threshold change republishes "
            + "every device of the profile with a new revision; it is refused if a device's overrides would become "
            + "inconsistent.")
    public Uni<ProfileResponse> update(@PathParam("id") String id, ProfileChange change) {
        if (change == null) {
            throw new DomainException.Invalid("body", "a JSON object with the fields to change is required");
        }
        return service.update(callers.current(), id, change)
                .onItem().ifNotNull().transform(ProfileResponse::of)
                .onItem().ifNull().failWith(() -> new DomainException.NotFound("profile", id));
    }

    @DELETE
    @Path("{id}")
    @RolesAllowed(Caller.ADMIN)
    @Operation(summary = "Delete an unused profile")
    @APIResponse(responseCode = "409", description = "The default profile, or a profile devices use")
    public Uni<Response> delete(@PathParam("id") String id) {
        return service.delete(callers.current(), id).map(deleted -> {
            if (!deleted) {
                throw new DomainException.NotFound("profile", id);
            }
            return Response.noContent().build();
        });
    }
}
