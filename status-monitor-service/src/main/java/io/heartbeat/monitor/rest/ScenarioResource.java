package io.heartbeat.monitor.rest;

import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.heartbeat.common.error.DomainException;
import io.heartbeat.common.rest.Problem;
import io.heartbeat.common.security.Caller;
import io.heartbeat.common.security.Callers;
import io.heartbeat.monitor.probe.Scenarios;
import io.heartbeat.monitor.probe.Scenarios.FlowType;
import io.heartbeat.monitor.probe.Scenarios.Run;
import io.heartbeat.monitor.probe.Scenarios.Scenario;
import io.smallrye.mutiny.Uni;

/** Test scenarios and their runs (seed 000). */
@Path("/api/v1/scenarios")
@Tag(name = "Scenarios")
@SecurityRequirement(name = "jwt")
@Produces({ MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE })
public class ScenarioResource {

    /**
     * A scenario to create. Devices: {@code deviceIds}, else every device of {@code profileId}, else every device of
     * the tenant (at most 1000 per run).
     */
    public record ScenarioRequest(String name, String description, String flowType, List<String> deviceIds,
            String profileId, Integer timeoutMs, Integer retries, String tenantId) {
    }

    /** The registry's rule for device ids. */
    static final java.util.regex.Pattern DEVICE_ID = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private final Scenarios scenarios;
    private final Callers callers;

    public ScenarioResource(Scenarios scenarios, Callers callers) {
        this.scenarios = scenarios;
        this.callers = callers;
    }

    @POST
    @RolesAllowed({ Caller.ADMIN, Caller.OPERATOR })
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create a test scenario", description = "flowType: HEARTBEAT_FRESHNESS, HTTP_CHECK, MQTT_PING"
            + " or FULL; timeoutMs 100..60000 (default 5000); retries 0..5 (default 1)")
    public Uni<Response> create(ScenarioRequest r) {
        Caller caller = callers.current();
        if (r == null || r.name() == null || r.name().isBlank() || r.name().length() > 200) {
            throw new DomainException.Invalid("name", "must be 1 to 200 characters");
        }
        FlowType flow;
        try {
            flow = r.flowType() == null ? null : FlowType.valueOf(r.flowType());
        } catch (IllegalArgumentException e) {
            flow = null;
        }
        if (flow == null) {
            throw new DomainException.Invalid("flowType", "must be one of HEARTBEAT_FRESHNESS, HTTP_CHECK, MQTT_PING, FULL");
        }
        int timeout = r.timeoutMs() == null ? 5000 : r.timeoutMs();
        if (timeout < 100 || timeout > 60_000) {
            throw new DomainException.Invalid("timeoutMs", "must be from 100 to 60000");
        }
        int retries = r.retries() == null ? 1 : r.retries();
        if (retries < 0 || retries > 5) {
            throw new DomainException.Invalid("retries", "must be from 0 to 5");
        }
        if (r.deviceIds() != null && r.deviceIds().size() > Scenarios.MAX_DEVICES) {
            throw new DomainException.Invalid("deviceIds", "at most " + Scenarios.MAX_DEVICES + " devices");
        }
        if (r.deviceIds() != null) {
            for (int i = 0; i < r.deviceIds().size(); i++) {
                String id = r.deviceIds().get(i);
                if (id == null || !DEVICE_ID.matcher(id).matches()) {
                    throw new DomainException.Invalid("deviceIds[" + i + "]",
                            "must be a device id: 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' or '-'");
                }
            }
        }
        if (r.description() != null && r.description().length() > 2000) {
            throw new DomainException.Invalid("description", "at most 2000 characters");
        }
        if (r.profileId() != null && (r.profileId().isBlank() || r.profileId().length() > 64)) {
            throw new DomainException.Invalid("profileId", "must be 1 to 64 characters");
        }
        String tenant = caller.isAdmin() && r.tenantId() != null ? r.tenantId() : caller.tenant();
        if (tenant == null) {
            throw new DomainException.Invalid("tenantId", "an administrator names the tenant of the scenario");
        }
        return scenarios.create(tenant, r.name(), r.description(), flow, r.deviceIds(), r.profileId(), timeout, retries)
                .map(s -> Response.status(201).entity(s).build());
    }

    @GET
    @RolesAllowed({ Caller.ADMIN, Caller.OPERATOR, Caller.VIEWER })
    @Operation(summary = "The tenant's scenarios")
    public Uni<List<Scenario>> list(@QueryParam("tenantId") String tenantId) {
        return scenarios.list(callers.current().scope(tenantId));
    }

    @GET
    @Path("{id}")
    @RolesAllowed({ Caller.ADMIN, Caller.OPERATOR, Caller.VIEWER })
    public Uni<Scenario> get(@PathParam("id") String id) {
        return scenarios.get(callers.current(), id);
    }

    @DELETE
    @Path("{id}")
    @RolesAllowed({ Caller.ADMIN, Caller.OPERATOR })
    public Uni<Response> delete(@PathParam("id") String id) {
        return scenarios.delete(callers.current(), id).replaceWith(Response.noContent().build());
    }

    @POST
    @Path("{id}/runs")
    @RolesAllowed({ Caller.ADMIN, Caller.OPERATOR })
    @Operation(summary = "Run the scenario now", description = "Checks every selected device and answers with the run"
            + " summary (success rate, p50/p95 response time, per-device results), which is also kept.")
    public Uni<Response> run(@PathParam("id") String id) {
        return scenarios.run(callers.current(), id).map(run -> Response.status(201).entity(run).build());
    }

    @GET
    @Path("{id}/runs")
    @RolesAllowed({ Caller.ADMIN, Caller.OPERATOR, Caller.VIEWER })
    @Operation(summary = "The scenario's last 100 runs, newest first")
    public Uni<List<Run>> runs(@PathParam("id") String id) {
        return scenarios.runs(callers.current(), id);
    }
}
