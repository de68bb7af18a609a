package io.heartbeat.registry.rest;

import java.net.URI;
import java.time.Duration;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.heartbeat.common.error.DomainException;
import io.heartbeat.common.rest.Page;
import io.heartbeat.common.rest.Requests;
import io.heartbeat.common.security.Caller;
import io.heartbeat.common.security.Callers;
import io.heartbeat.contracts.Protocol;
import io.heartbeat.registry.config.RegistryConfig;
import io.heartbeat.registry.repository.DeviceRepository;
import io.heartbeat.registry.rest.Dtos.DeviceBatch;
import io.heartbeat.registry.rest.Dtos.DeviceJwtRequest;
import io.heartbeat.registry.rest.Dtos.DeviceJwtResponse;
import io.heartbeat.registry.rest.Dtos.DeviceResponse;
import io.heartbeat.registry.rest.Dtos.DeviceWithToken;
import io.heartbeat.registry.rest.Dtos.RegisteredBatch;
import io.heartbeat.registry.service.DeviceDraft;
import io.heartbeat.registry.service.DeviceRules;
import io.heartbeat.registry.service.DeviceService;
import io.smallrye.mutiny.Uni;

@Path("/api/v1/devices")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Devices", description = "Register devices, change them, and manage their credentials")
public class DeviceResource {

    static final String MERGE_PATCH = "application/merge-patch+json";

    private final DeviceService service;
    private final Callers callers;
    private final RegistryConfig config;

    public DeviceResource(DeviceService service, Callers callers, RegistryConfig config) {
        this.service = service;
        this.callers = callers;
        this.config = config;
    }

    @GET
    @RolesAllowed({ Caller.ADMIN, Caller.OPERATOR, Caller.VIEWER })
    @Operation(summary = "List devices", description = "Your tenant's devices (admins: every tenant, or tenantId), "
            + "ordered by id, with paging and filters.")
    public Uni<Page<DeviceResponse>> list(@QueryParam("page") Integer page, @QueryParam("size") Integer size,
            @Parameter(description = "MQTT or HTTP") @QueryParam("protocol") String protocol,
            @QueryParam("enabled") String enabled,
            @Parameter(description = "Case-insensitive part of the name") @QueryParam("q") String q,
            @QueryParam("profileId") String profileId,
            @Parameter(description = "Admins only: one tenant") @QueryParam("tenantId") String tenantId) {
        Requests.Paging paging = Requests.paging(page, size, config.paging().defaultSize(), config.paging().maxSize());
        int p = paging.page();
        int s = paging.size();
        DeviceRepository.Filter filter = new DeviceRepository.Filter(tenantId,
                Requests.enumValue(protocol, Protocol.class, "protocol"), Requests.bool(enabled, "enabled"), q,
                profileId);
        return service.list(callers.current(), filter, p, s)
                .map(l -> Page.of(l.items(), DeviceResponse::of, p, s, l.total()));
    }

    @POST
    @RolesAllowed({ Caller.ADMIN, Caller.OPERATOR })
    @Operation(summary = "Register a device", description = "Answers the device with its 64-character API token. "
            + "The token is shown only here and on rotation; the registry keeps only its hash. The id is "
            + DeviceRules.DEVICE_ID_RULE + " (it is also the device's MQTT client id and topic level) and must not "
            + "start with heartbeat-ingest, heartbeat-status-monitor or heartbeat-command-service, which are reserved "
            + "for the platform's MQTT service accounts.")
    @APIResponse(responseCode = "201", description = "Registered; the body carries apiToken")
    @APIResponse(responseCode = "409", description = "The id is taken (ids are unique across tenants)")
    @APIResponse(responseCode = "422", description = "A rule is broken (e.g. the id's characters or a reserved id "
            + "prefix); errors lists each field")
    public Uni<Response> create(DeviceDraft draft) {
        if (draft == null) {
            throw new DomainException.Invalid("body", "a device is required");
        }
        return service.create(callers.current(), draft).map(created -> Response
                .created(URI.create("/api/v1/devices/" + created.details().device().id))
                .tag(Long.toString(created.details().device().revision))
                .entity(new DeviceWithToken(DeviceResponse.of(created.details()), created.apiToken()))
                .build());
    }

    /*
     * "batch" is also a valid device id. There is no POST /devices/{id}, so POST /devices/batch can only mean this;
     * GET, PATCH and DELETE /devices/batch and POST /devices/batch/token and /jwt still address the device "batch"
     * (routes are matched per method, and the literal path takes POST only).
     */
    @POST
    @Path("batch")
    @RolesAllowed({ Caller.ADMIN, Caller.OPERATOR })
    @Operation(summary = "Register devices in bulk", description = "Registers every device of the list or none, in "
            + "one transaction. Each item is the body of a single registration and is checked by the same rules; "
            + "errors name the item (devices[3].id). The answer lists each device with its API token, in the "
            + "request's order; the tokens are shown only here. At most heartbeat.registry.max-batch-size devices "
            + "(default 1000) per request, and the body must fit the body limit (256 KiB).")
    @APIResponse(responseCode = "201", description = "Every device registered; each item carries apiToken")
    @APIResponse(responseCode = "403", description = "A non-admin names another tenant")
    @APIResponse(responseCode = "409", description = "device-exists: ids already taken (errors names each item); "
            + "tenant-quota-exceeded: the batch does not fit a tenant's quota. Nothing is registered.")
    @APIResponse(responseCode = "413", description = "More devices than the maximum batch size, or a body over the "
            + "limit: send fewer at a time")
    @APIResponse(responseCode = "422", description = "An empty list, or a rule broken by an item (also an id "
            + "repeated in the batch); errors lists each field as devices[i].field. Nothing is registered.")
    public Uni<Response> createAll(DeviceBatch batch) {
        if (batch == null || batch.devices() == null) {
            throw new DomainException.Invalid("devices", "a list of devices is required");
        }
        if (batch.devices().isEmpty()) {
            throw new DomainException.Invalid("devices", "must list at least one device");
        }
        int max = config.maxBatchSize();
        if (batch.devices().size() > max) {
            throw new WebApplicationException("The batch has " + batch.devices().size() + " devices; at most " + max
                    + " are registered per request (heartbeat.registry.max-batch-size)", 413);
        }
        return service.createAll(callers.current(), batch.devices()).map(created -> Response.status(201)
                .entity(new RegisteredBatch(created.stream()
                        .map(c -> new DeviceWithToken(DeviceResponse.of(c.details()), c.apiToken()))
                        .toList()))
                .build());
    }

    @GET
    @Path("{id}")
    @RolesAllowed({ Caller.ADMIN, Caller.OPERATOR, Caller.VIEWER })
    @Operation(summary = "Read a device", description = "The ETag is the device's revision.")
    @APIResponse(responseCode = "404", description = "No such device in your tenant")
    public Uni<Response> get(@PathParam("id") String id) {
        return service.find(callers.current(), id)
                .onItem().ifNotNull().transform(d -> ok(d))
                .onItem().ifNull().failWith(() -> new DomainException.NotFound("device", id));
    }

    @PATCH
    @Path("{id}")
    @Consumes({ MERGE_PATCH, MediaType.APPLICATION_JSON })
    @RolesAllowed({ Caller.ADMIN, Caller.OPERATOR })
    @Operation(summary = "Change a device", description = "JSON Merge Patch (RFC 7396): absent fields stay, null "
            + "clears, objects merge. Send If-Match with the ETag to refuse a change based on a stale read.")
    @APIResponse(responseCode = "412", description = "If-Match does not match the current revision")
    public Uni<Response> update(@PathParam("id") String id, @HeaderParam(HttpHeaders.IF_MATCH) String ifMatch,
            ObjectNode patch) {
        if (patch == null) {
            throw new DomainException.Invalid("body", "a JSON object with the fields to change is required");
        }
        return service.update(callers.current(), id, patch, Requests.revision(ifMatch))
                .onItem().ifNotNull().transform(d -> ok(d))
                .onItem().ifNull().failWith(() -> new DomainException.NotFound("device", id));
    }

    @DELETE
    @Path("{id}")
    @RolesAllowed({ Caller.ADMIN, Caller.OPERATOR })
    @Operation(summary = "Delete a device", description = "Publishes a tombstone to registry.devices.")
    @APIResponse(responseCode = "204", description = "Deleted")
    public Uni<Response> delete(@PathParam("id") String id, @HeaderParam(HttpHeaders.IF_MATCH) String ifMatch) {
        return service.delete(callers.current(), id, Requests.revision(ifMatch)).map(deleted -> {
            if (!deleted) {
                throw new DomainException.NotFound("device", id);
            }
            return Response.noContent().build();
        });
    }

    @POST
    @Path("{id}/token")
    @RolesAllowed({ Caller.ADMIN, Caller.OPERATOR })
    @Operation(summary = "Rotate the API token", description = "A new token replaces the old one at once; it is "
            + "shown only in this answer. Device JWTs issued before the rotation stop being accepted too.")
    public Uni<DeviceWithToken> rotateToken(@PathParam("id") String id) {
        return service.rotateToken(callers.current(), id)
                .onItem().ifNotNull().transform(c -> new DeviceWithToken(DeviceResponse.of(c.details()), c.apiToken()))
                .onItem().ifNull().failWith(() -> new DomainException.NotFound("device", id));
    }

    @POST
    @Path("{id}/jwt")
    @RolesAllowed({ Caller.ADMIN, Caller.OPERATOR })
    @Operation(summary = "Issue a device JWT", description = "An RS256 JWT with subject = device id, a tenant claim "
            + "and credentials_since (the device's credentialsSince on registry.devices, epoch milliseconds), for "
            + "devices that send a JWT with each heartbeat (seed 001) or connect to the broker with it. It is valid "
            + "only for the device's current credential: rotating the token, or deleting the device and registering "
            + "the id again, revokes every JWT issued before. The body is optional.")
    public Uni<DeviceJwtResponse> issueJwt(@PathParam("id") String id, DeviceJwtRequest request) {
        Duration lifetime = request == null || request.lifetimeSeconds() == null ? null
                : Duration.ofSeconds(request.lifetimeSeconds());
        return service.issueJwt(callers.current(), id, lifetime)
                .onItem().ifNotNull().transform(j -> new DeviceJwtResponse(id, j.token(), "Bearer", j.expiresAt()))
                .onItem().ifNull().failWith(() -> new DomainException.NotFound("device", id));
    }

    private static Response ok(DeviceService.Details d) {
        return Response.ok(DeviceResponse.of(d)).tag(Long.toString(d.device().revision)).build();
    }
}
