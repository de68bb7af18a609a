package io.heartbeat.registry.service;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.heartbeat.common.error.DomainException;
import io.heartbeat.common.security.Caller;
import io.heartbeat.contracts.DeviceTokens;
import io.heartbeat.contracts.Thresholds;
import io.heartbeat.registry.config.RegistryConfig;
import io.heartbeat.registry.entity.Device;
import io.heartbeat.registry.entity.Profile;
import io.heartbeat.registry.entity.ThresholdOverrides;
import io.heartbeat.registry.repository.DeviceRepository;
import io.heartbeat.registry.repository.ProfileRepository;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;

/**
 * Devices and their credentials. Every change locks the device row, bumps its revision, queues its new view in the
 * outbox and writes an audit entry, all in one transaction. A device of another tenant is treated as absent.
 */
@ApplicationScoped
public class DeviceService {

    /** A device with its effective thresholds (profile plus overrides). */
    public record Details(Device device, Thresholds thresholds) {
    }

    /** A new device and its API token, which is shown this once. */
    public record Created(Details details, String apiToken) {
    }

    public record Listing(List<Details> items, long total) {
    }

    private final DeviceRepository devices;
    private final ProfileRepository profiles;
    private final DeviceEvents events;
    private final AuditLog audit;
    private final DeviceJwtIssuer jwtIssuer;
    private final RegistryConfig config;

    public DeviceService(DeviceRepository devices, ProfileRepository profiles, DeviceEvents events, AuditLog audit,
            DeviceJwtIssuer jwtIssuer, RegistryConfig config) {
        this.config = config;
        this.devices = devices;
        this.profiles = profiles;
        this.events = events;
        this.audit = audit;
        this.jwtIssuer = jwtIssuer;
    }

    @WithTransaction
    public Uni<Created> create(Caller caller, DeviceDraft draft) {
        String tenant = draft.tenantId() != null ? draft.tenantId() : caller.tenant();
        if (!caller.isAdmin() && !Objects.equals(tenant, caller.tenant())) {
            throw new DomainException.Forbidden("devices can only be created in your own tenant '" + caller.tenant()
                    + "'");
        }
        Errors errors = new Errors();
        DeviceRules.checkId(errors, draft.id());
        DeviceRules.checkTenant(errors, tenant);
        DeviceSpec spec = draft.spec();
        return profiles.findForShare(spec.profileId()).flatMap(profile -> {
            validate(errors, spec, profile);
            return withinQuota(tenant).chain(() -> devices.findById(draft.id())).flatMap(existing -> {
                if (existing != null) {
                    throw new DomainException.Conflict("device-exists", "a device with id '" + draft.id()
                            + "' already exists (device ids are unique across tenants)");
                }
                return devices.revisionFloor(draft.id()).flatMap(floor -> {
                    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
                    String token = DeviceTokens.generate();
                    Device d = new Device();
                    d.id = draft.id();
                    d.tenantId = tenant;
                    d.createdAt = now;
                    d.tokenHash = DeviceTokens.hash(token);
                    d.tokenRotatedAt = now;
                    d.revision = floor;
                    apply(d, spec, now);
                    Thresholds effective = d.overrides().over(profile.thresholds());
                    return devices.persist(d)
                            .call(() -> events.changed(d, effective))
                            .call(() -> audit.record(caller, "DEVICE_CREATED", AuditLog.DEVICE, d.id, d.tenantId,
                                    Map.of("name", d.name, "protocol", d.protocol.name(), "profileId", d.profileId)))
                            .map(x -> new Created(new Details(d, effective), token));
                });
            });
        });
    }

    /** Fails with tenant-quota-exceeded if {@code tenant} has its most devices; holds the tenant's lock after. */
    private Uni<Void> withinQuota(String tenant) {
        int max = config.maxDevicesPerTenant();
        return devices.lockAndCountTenant(tenant).invoke(count -> {
            if (count >= max) {
                throw new DomainException.Conflict("tenant-quota-exceeded", "tenant '" + tenant + "' has " + count
                        + " devices, the most its quota (heartbeat.registry.max-devices-per-tenant = " + max
                        + ") allows; delete one first or ask for a higher quota");
            }
        }).replaceWithVoid();
    }

    @WithSession
    public Uni<Details> find(Caller caller, String id) {
        return devices.findById(id).flatMap(d -> d == null || !caller.sees(d.tenantId)
                ? Uni.createFrom().nullItem()
                : profiles.findById(d.profileId).map(p -> new Details(d, d.overrides().over(p.thresholds()))));
    }

    @WithSession
    public Uni<Listing> list(Caller caller, DeviceRepository.Filter filter, int page, int size) {
        DeviceRepository.Filter scoped = new DeviceRepository.Filter(caller.scope(filter.tenantId()),
                filter.protocol(), filter.enabled(), filter.nameContains(), filter.profileId());
        return devices.search(scoped, page, size).flatMap(found -> {
            Set<String> profileIds = found.items().stream().map(d -> d.profileId).collect(Collectors.toSet());
            return profiles.findByIds(profileIds).map(ps -> {
                Map<String, Profile> byId = ps.stream().collect(Collectors.toMap(p -> p.id, Function.identity()));
                List<Details> items = found.items().stream()
                        .map(d -> new Details(d, d.overrides().over(byId.get(d.profileId).thresholds())))
                        .toList();
                return new Listing(items, found.total());
            });
        });
    }

    /** Applies a merge patch; null if the device is not there (for this caller). */
    @WithTransaction
    public Uni<Details> update(Caller caller, String id, ObjectNode patch, Long expectedRevision) {
        return lockVisible(caller, id, expectedRevision).flatMap(d -> {
            if (d == null) {
                return Uni.createFrom().nullItem();
            }
            Errors errors = new Errors();
            DeviceSpec before = spec(d);
            DeviceSpec after = DevicePatch.apply(before, patch, errors);
            return profiles.findForShare(after.profileId()).flatMap(profile -> {
                validate(errors, after, profile);
                if (after.equals(before)) {
                    // nothing changes: no new revision, no event, no audit entry
                    return Uni.createFrom().item(new Details(d, d.overrides().over(profile.thresholds())));
                }
                Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
                apply(d, after, now);
                Thresholds effective = d.overrides().over(profile.thresholds());
                Map<String, Object> changed = new LinkedHashMap<>();
                changed.put("fields", patch.properties().stream().map(Map.Entry::getKey).sorted().toList());
                if (before.enabled() != after.enabled()) {
                    changed.put("enabled", after.enabled());
                }
                return events.changed(d, effective)
                        .call(() -> audit.record(caller, "DEVICE_UPDATED", AuditLog.DEVICE, d.id, d.tenantId,
                                changed))
                        .map(x -> new Details(d, effective));
            });
        });
    }

    /** True if deleted, false if the device is not there (for this caller). Publishes a tombstone. */
    @WithTransaction
    public Uni<Boolean> delete(Caller caller, String id, Long expectedRevision) {
        return lockVisible(caller, id, expectedRevision).flatMap(d -> {
            if (d == null) {
                return Uni.createFrom().item(false);
            }
            return devices.delete(d)
                    .call(() -> devices.rememberDeleted(d.id, d.revision))
                    .call(() -> events.deleted(d.id))
                    .call(() -> audit.record(caller, "DEVICE_DELETED", AuditLog.DEVICE, d.id, d.tenantId,
                            Map.of("name", d.name, "lastRevision", d.revision)))
                    .replaceWith(true);
        });
    }

    /** A new API token replaces the old one at once; null if the device is not there (for this caller). */
    @WithTransaction
    public Uni<Created> rotateToken(Caller caller, String id) {
        return lockVisible(caller, id, null).flatMap(d -> {
            if (d == null) {
                return Uni.createFrom().nullItem();
            }
            Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
            String token = DeviceTokens.generate();
            d.tokenHash = DeviceTokens.hash(token);
            d.tokenRotatedAt = DeviceRules.nextCredentialsEpoch(d.credentialsSince(), now);
            d.updatedAt = now;
            d.revision++;
            return profiles.findForShare(d.profileId).flatMap(p -> {
                Thresholds effective = d.overrides().over(p.thresholds());
                return events.changed(d, effective)
                        .call(() -> audit.record(caller, "DEVICE_TOKEN_ROTATED", AuditLog.DEVICE, d.id, d.tenantId,
                                Map.of()))
                        .map(x -> new Created(new Details(d, effective), token));
            });
        });
    }

    /** Signs a device JWT; null if the device is not there (for this caller). */
    @WithTransaction
    public Uni<DeviceJwtIssuer.IssuedJwt> issueJwt(Caller caller, String id, Duration requestedLifetime) {
        Duration lifetime = jwtIssuer.lifetime(requestedLifetime);
        return devices.findById(id).flatMap(d -> {
            if (d == null || !caller.sees(d.tenantId)) {
                return Uni.createFrom().nullItem();
            }
            if (!d.enabled) {
                throw new DomainException.Conflict("device-disabled",
                        "device '" + id + "' is disabled; enable it before issuing credentials");
            }
            DeviceJwtIssuer.IssuedJwt jwt = jwtIssuer.issue(d.id, d.tenantId, d.revision, d.credentialsSince(), lifetime);
            return audit.record(caller, "DEVICE_JWT_ISSUED", AuditLog.DEVICE, d.id, d.tenantId,
                    Map.of("expiresAt", jwt.expiresAt().toString())).replaceWith(jwt);
        });
    }

    private Uni<Device> lockVisible(Caller caller, String id, Long expectedRevision) {
        return devices.findForUpdate(id).map(d -> {
            if (d == null || !caller.sees(d.tenantId)) {
                return null;
            }
            if (expectedRevision != null && expectedRevision != d.revision) {
                throw new DomainException.RevisionMismatch(expectedRevision, d.revision);
            }
            return d;
        });
    }

    private static void validate(Errors errors, DeviceSpec spec, Profile profile) {
        if (profile == null) {
            errors.add("profileId", "no profile '" + spec.profileId() + "' exists");
        }
        DeviceRules.check(errors, spec, profile == null ? null : profile.thresholds());
        errors.throwIfAny();
    }

    static DeviceSpec spec(Device d) {
        ThresholdOverrides o = d.overrides();
        return new DeviceSpec(d.name, d.protocol, d.protocolConfig, d.profileId,
                new ThresholdValues(o.heartbeatIntervalSeconds, o.connectedWithinSeconds, o.disconnectedAfterSeconds,
                        o.minHeartbeatSpacingSeconds, o.maxHeartbeatsPerMinute),
                d.enabled, d.remoteControlEnabled, d.firmwareVersion, d.metadata);
    }

    private static void apply(Device d, DeviceSpec s, Instant now) {
        d.name = s.name().strip();
        d.protocol = s.protocol();
        d.protocolConfig = new HashMap<>(s.protocolConfig());
        d.profileId = s.profileId();
        ThresholdOverrides o = d.overrides();
        ThresholdValues v = s.thresholdOverrides();
        o.heartbeatIntervalSeconds = v.heartbeatIntervalSeconds();
        o.connectedWithinSeconds = v.connectedWithinSeconds();
        o.disconnectedAfterSeconds = v.disconnectedAfterSeconds();
        o.minHeartbeatSpacingSeconds = v.minHeartbeatSpacingSeconds();
        o.maxHeartbeatsPerMinute = v.maxHeartbeatsPerMinute();
        d.enabled = s.enabled();
        d.remoteControlEnabled = s.remoteControlEnabled();
        d.firmwareVersion = s.firmwareVersion();
        d.metadata = new HashMap<>(s.metadata());
        d.updatedAt = now;
        d.revision++;
    }
}
