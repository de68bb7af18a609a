package io.heartbeat.monitor.rest;

import java.net.URI;
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

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

import io.heartbeat.common.error.DomainException;
import io.heartbeat.common.rest.Page;
import io.heartbeat.common.rest.Problem;
import io.heartbeat.common.rest.Requests;
import io.heartbeat.common.security.Caller;
import io.heartbeat.common.security.Callers;
import io.heartbeat.monitor.config.MonitorConfig;
import io.heartbeat.monitor.scenario.ScenarioService;
import io.heartbeat.monitor.scenario.Scenarios.FlowType;
import io.heartbeat.monitor.scenario.Scenarios.RunSummary;
import io.heartbeat.monitor.scenario.Scenarios.Scenario;
import io.heartbeat.monitor.scenario.Scenarios.Selection;
import io.smallrye.mutiny.Uni;

/** Test scenarios (seed 000) and their runs. */
@Path("/api/v1/scenarios")
@Tag(name = "Scenarios")
@SecurityRequirement(name = "jwt")
@Produces({ MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE })
public class ScenarioResource {

    /**
     * A new scenario.
     *
     * @param devices which devices: {@code deviceIds}, else {@code profileId}, else every enabled device of the tenant
     * @param timeoutMs per check attempt (default 5000, 1 to 60000)
     * @param retries extra attempts after a failed one (default 0, at most 5)
     */
    public record ScenarioRequest(String name, String description, FlowType flowType, Selection devices,
            Long timeoutMs, Integer retries) {
    }

    private final ScenarioService scenarios;
    private final Callers callers;
    private final MonitorConfig config;

    public ScenarioResource(ScenarioService scenarios, Callers callers, MonitorConfig config) {
        this.scenarios = scenarios;
        this.callers = callers;
        this.config = config;
    }

    @POST
    @RolesAllowed({ Caller.ADMIN, Caller.OPERATOR })
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create a test scenario in the caller's tenant")
    public Uni<RestResponse<Scenario>> create(ScenarioRequest r) {
        validate(r);
        Caller caller = callers.current();
        if (caller.tenant() == null) {
            throw new DomainException.Forbidden("a scenario belongs to a tenant; the token has no tenant claim");
        }
        return scenarios.create(caller, r.name(), r.description(), r.flowType(),
                r.devices() == null ? new Selection(null, null) : r.devices(),
                r.timeoutMs() == null ? 5000 : r.timeoutMs(), r.retries() == null ? 0 : r.retries())
                .map(s -> RestResponse.ResponseBuilder.<Scenario> created(URI.create("/api/v1/scenarios/" + s.id())).entity(s)
                        .build());
    }

    @GET
    @RolesAllowed({ Caller.ADMIN, Caller.OPERATOR, Caller.VIEWER })
    @Operation(summary = "The tenant's scenarios, newest first, paged")
    public Uni<Page<Scenario>> list(@QueryParam("tenantId") String tenantId, @QueryParam("page") Integer page,
            @QueryParam("size") Integer size) {
        return scenarios.list(callers.current().scope(tenantId), Requests.page(page),
                Requests.size(size, config.defaultPageSize(), config.maxPageSize()));
    }

    @GET
    @Path("{id}")
    @RolesAllowed({ Caller.ADMIN, Caller.OPERATOR, Caller.VIEWER })
    @Operation(summary = "One scenario")
    public Uni<Scenario> get(@PathParam("id") String id) {
        return scenarios.find(callers.current(), id);
    }

    @DELETE
    @Path("{id}")
    @RolesAllowed({ Caller.ADMIN, Caller.OPERATOR })
    @Operation(summary = "Delete a scenario and its runs (the device results stay until retention)")
    public Uni<RestResponse<Void>> delete(@PathParam("id") String id) {
        return scenarios.delete(callers.current(), id).map(v -> RestResponse.noContent());
    }

    @POST
    @Path("{id}/runs")
    @RolesAllowed({ Caller.ADMIN, Caller.OPERATOR })
    @Operation(summary = "Run the scenario now", description = "Checks every selected device, records each result in"
            + " device_monitoring_results and answers the run summary: success rate, p50/p95 response time and the"
            + " per-device results. Scenario results never change a device's state.")
    public Uni<RestResponse<RunSummary>> run(@PathParam("id") String id) {
        return scenarios.run(callers.current(), id)
                .map(s -> RestResponse.ResponseBuilder
                        .<RunSummary> created(URI.create("/api/v1/scenarios/" + id + "/runs/" + s.id())).entity(s).build());
    }

    @GET
    @Path("{id}/runs")
    @RolesAllowed({ Caller.ADMIN, Caller.OPERATOR, Caller.VIEWER })
    @Operation(summary = "The scenario's runs, newest first (summaries without per-device results)")
    public Uni<Page<RunSummary>> runs(@PathParam("id") String id, @QueryParam("page") Integer page,
            @QueryParam("size") Integer size) {
        return scenarios.runs(callers.current(), id, Requests.page(page),
                Requests.size(size, config.defaultPageSize(), config.maxPageSize()));
    }

    @GET
    @Path("{id}/runs/{runId}")
    @RolesAllowed({ Caller.ADMIN, Caller.OPERATOR, Caller.VIEWER })
    @Operation(summary = "One run with its per-device results")
    public Uni<RunSummary> runOf(@PathParam("id") String id, @PathParam("runId") String runId) {
        return scenarios.findRun(callers.current(), id, runId);
    }

    private static void validate(ScenarioRequest r) {
        if (r == null) {
            throw new DomainException.Invalid("body", "a scenario is required");
        }
        if (r.name() == null || r.name().isBlank() || r.name().length() > 200) {
            throw new DomainException.Invalid("name", "must be 1 to 200 characters");
        }
        if (r.description() != null && r.description().length() > 2000) {
            throw new DomainException.Invalid("description", "must be at most 2000 characters");
        }
        if (r.flowType() == null) {
            throw new DomainException.Invalid("flowType", "is required: HEARTBEAT_FRESHNESS, HTTP_CHECK, MQTT_PING or FULL");
        }
        if (r.timeoutMs() != null && (r.timeoutMs() < 1 || r.timeoutMs() > 60_000)) {
            throw new DomainException.Invalid("timeoutMs", "must be 1 to 60000");
        }
        if (r.retries() != null && (r.retries() < 0 || r.retries() > 5)) {
            throw new DomainException.Invalid("retries", "must be 0 to 5");
        }
        List<String> ids = r.devices() == null ? null : r.devices().deviceIds();
        if (ids != null && (ids.size() > 10_000 || ids.stream().anyMatch(i -> i == null || i.isBlank()
                || i.length() > 256))) {
            throw new DomainException.Invalid("devices.deviceIds", "at most 10000 ids of 1 to 256 characters");
        }
    }
}
