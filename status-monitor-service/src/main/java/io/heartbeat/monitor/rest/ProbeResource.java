package io.heartbeat.monitor.rest;

import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.heartbeat.common.error.DomainException;
import io.heartbeat.common.rest.Problem;
import io.heartbeat.common.security.Caller;
import io.heartbeat.common.security.Callers;
import io.heartbeat.contracts.TransitionReason;
import io.heartbeat.monitor.service.ProbeEvidence;
import io.heartbeat.monitor.service.ProbeEvidence.Evidence;
import io.heartbeat.monitor.service.ProbeEvidence.Verdict;
import io.smallrye.mutiny.Uni;

/** External pingers report here; the heartbeat stays the authority (seed 004). */
@Path("/api/v1/probes/results")
@Tag(name = "Probes")
@SecurityRequirement(name = "jwt")
public class ProbeResource {

    /**
     * A probe's result.
     *
     * @param success whether the device answered
     * @param source who probed (e.g. the pinger's name)
     */
    public record ProbeResultRequest(String deviceId, Boolean success, String source, Long responseTimeMs,
            String error, Map<String, Object> metadata) {
    }

    private final ProbeEvidence evidence;
    private final Callers callers;

    public ProbeResource(ProbeEvidence evidence, Callers callers) {
        this.evidence = evidence;
        this.callers = callers;
    }

    @POST
    @RolesAllowed({ Caller.ADMIN, Caller.OPERATOR })
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({ MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE })
    @Operation(summary = "Report a probe result", description = "Recorded always; it changes the device's state only"
            + " when the last heartbeat is older than the heartbeat interval (applied: false with the reason otherwise).")
    public Uni<Verdict> report(ProbeResultRequest request) {
        validate(request);
        Caller caller = callers.current();
        return evidence.record(caller, new Evidence(request.deviceId(), request.success(),
                request.source() == null ? "external-probe" : request.source(), request.responseTimeMs(),
                request.error(), request.metadata()), TransitionReason.PROBE_FAILED);
    }

    private static void validate(ProbeResultRequest r) {
        if (r == null) {
            throw new DomainException.Invalid("body", "a probe result is required");
        }
        if (r.deviceId() == null || r.deviceId().isBlank() || r.deviceId().length() > 256) {
            throw new DomainException.Invalid("deviceId", "must be 1 to 256 characters");
        }
        if (r.success() == null) {
            throw new DomainException.Invalid("success", "is required (true or false)");
        }
        if (r.source() != null && r.source().length() > 128) {
            throw new DomainException.Invalid("source", "must be at most 128 characters");
        }
        if (r.responseTimeMs() != null && r.responseTimeMs() < 0) {
            throw new DomainException.Invalid("responseTimeMs", "must not be negative");
        }
        if (r.error() != null && r.error().length() > 1024) {
            throw new DomainException.Invalid("error", "must be at most 1024 characters");
        }
    }
}
