package io.heartbeat.registry.rest;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.heartbeat.common.rest.Page;
import io.heartbeat.common.rest.Requests;
import io.heartbeat.common.security.Caller;
import io.heartbeat.common.security.Callers;
import io.heartbeat.registry.config.RegistryConfig;
import io.heartbeat.registry.rest.Dtos.AuditResponse;
import io.heartbeat.registry.service.AuditLog;
import io.heartbeat.registry.service.AuditQueries;
import io.smallrye.mutiny.Uni;

@Path("/api/v1/audit")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Audit", description = "Who changed what, and when")
public class AuditResource {

    private final AuditQueries audit;
    private final Callers callers;
    private final RegistryConfig config;

    public AuditResource(AuditQueries audit, Callers callers, RegistryConfig config) {
        this.audit = audit;
        this.callers = callers;
        this.config = config;
    }

    @GET
    @RolesAllowed({ Caller.ADMIN, Caller.OPERATOR, Caller.VIEWER })
    @Operation(summary = "Read the audit log", description = "Newest first. Users see their tenant's entries; admins "
            + "see every tenant's and the profile changes.")
    public Uni<Page<AuditResponse>> list(@QueryParam("page") Integer page, @QueryParam("size") Integer size,
            @Parameter(description = "Entries of one device") @QueryParam("deviceId") String deviceId,
            @Parameter(description = "device or profile") @QueryParam("entityType") String entityType,
            @Parameter(description = "Admins only: one tenant") @QueryParam("tenantId") String tenantId) {
        Requests.Paging paging = Requests.paging(page, size, config.paging().defaultSize(), config.paging().maxSize());
        int p = paging.page();
        int s = paging.size();
        String type = deviceId != null ? AuditLog.DEVICE : entityType;
        return audit.search(callers.current(), tenantId, type, deviceId, p, s)
                .map(found -> Page.of(found.items(), AuditResponse::of, p, s, found.total()));
    }
}
