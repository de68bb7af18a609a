package io.heartbeat.registry.service;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.IntFunction;
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
import io.smallrye.mutiny.Multi;
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

    /** Registers one device: a batch of one, so a single and a batch registration check and write alike. */
    @WithTransaction
    public Uni<Created> create(Caller caller, DeviceDraft draft) {
        return register(caller, List.of(draft), i -> "").map(created -> created.get(0));
    }

    /**
     * Registers every draft or none, in one transaction, answering them in the drafts' order. Each tenant's lock is
     * taken and its devices counted once for the whole batch; existing ids and revision floors are read with one
     * query each. Errors name the item ({@code devices[3].id}).
     */
    @WithTransaction
    public Uni<List<Created>> createAll(Caller caller, List<DeviceDraft> drafts) {
        return register(caller, drafts, i -> "devices[" + i + "]");
    }

    /** A draft on its way in: where it is in the request, its tenant and its spec with defaults applied. */
    private record Planned(String item, DeviceDraft draft, String tenant, DeviceSpec spec) {

        /** Where this item's field errors are reported: {@code name} itself alone, {@code devices[3].name} in a batch. */
        String field(String name) {
            return item.isEmpty() ? name : item + "." + name;
        }
    }

    /** A device ready to be written, with its effective thresholds and the token shown once. */
    private record Fresh(Device device, Thresholds thresholds, String token) {
    }

    /** {@code item} names an item for error messages: "" for a single create, "devices[i]" in a batch. */
    private Uni<List<Created>> register(Caller caller, List<DeviceDraft> drafts, IntFunction<String> item) {
        List<Planned> planned = plan(caller, drafts, item);
        return profilesOf(planned)
                .invoke(found -> validate(planned, found))
                .call(() -> withinQuota(planned))
                .call(() -> noneExists(planned))
                .flatMap(found -> devices.revisionFloors(ids(planned))
                        .map(floors -> fresh(planned, found, floors)))
                .call(fresh -> persist(caller, fresh))
                .map(fresh -> fresh.stream()
                        .map(f -> new Created(new Details(f.device(), f.thresholds()), f.token()))
                        .toList());
    }

    /** Resolves each draft's tenant and refuses a draft for another tenant than a non-admin caller's. */
    private static List<Planned> plan(Caller caller, List<DeviceDraft> drafts, IntFunction<String> item) {
        List<Planned> planned = new ArrayList<>(drafts.size());
        Errors missing = new Errors();
        for (int i = 0; i < drafts.size(); i++) {
            DeviceDraft draft = drafts.get(i);
            if (draft == null) {
                missing.add(item.apply(i), "a device is required");
                continue;
            }
            String tenant = draft.tenantId() != null ? draft.tenantId() : caller.tenant();
            if (!caller.isAdmin() && !Objects.equals(tenant, caller.tenant())) {
                throw new DomainException.Forbidden("devices can only be created in your own tenant '"
                        + caller.tenant() + "'" + (item.apply(i).isEmpty() ? ""
                                : " (" + item.apply(i)
                                        + " names tenant '" + tenant + "')"));
            }
            planned.add(new Planned(item.apply(i), draft, tenant, draft.spec()));
        }
        missing.throwIfAny();
        return planned;
    }

    /** The profiles the drafts name, share-locked (see {@link ProfileRepository#findForShare(String)}). */
    private Uni<Map<String, Profile>> profilesOf(List<Planned> planned) {
        Set<String> ids = planned.stream().map(p -> p.spec().profileId()).collect(Collectors.toCollection(TreeSet::new));
        return profiles.findForShare(ids)
                .map(found -> found.stream().collect(Collectors.toMap(p -> p.id, Function.identity())));
    }

    /** Checks every draft with the rules of {@link DeviceRules}; fails with every error of every item at once. */
    private static void validate(List<Planned> planned, Map<String, Profile> profiles) {
        Errors all = new Errors();
        Map<String, String> firstWithId = new HashMap<>();
        for (Planned p : planned) {
            Errors errors = new Errors();
            String id = p.draft().id();
            DeviceRules.checkId(errors, id);
            DeviceRules.checkTenant(errors, p.tenant());
            if (id != null) {
                String first = firstWithId.putIfAbsent(id, p.item());
                errors.check(first == null, "id", "repeats the id of " + first + " (each device of a batch needs its "
                        + "own id)");
            }
            check(errors, p.spec(), profiles.get(p.spec().profileId()));
            all.addAll(p.item().isEmpty() ? "" : p.item() + ".", errors);
        }
        all.throwIfAny();
    }

    /** Fails with tenant-quota-exceeded if a tenant has no room for its new devices; holds each tenant's lock after. */
    private Uni<Void> withinQuota(List<Planned> planned) {
        // tenants in a fixed order, so two batches that share tenants cannot deadlock on their locks
        Map<String, Long> perTenant = planned.stream()
                .collect(Collectors.groupingBy(Planned::tenant, TreeMap::new, Collectors.counting()));
        return Multi.createFrom().iterable(perTenant.entrySet())
                .onItem().transformToUniAndConcatenate(e -> withinQuota(e.getKey(), e.getValue()))
                .collect().last();
    }

    private Uni<Void> withinQuota(String tenant, long adding) {
        int max = config.maxDevicesPerTenant();
        return devices.lockAndCountTenant(tenant).invoke(count -> {
            String quota = "(heartbeat.registry.max-devices-per-tenant = " + max + ")";
            if (adding == 1 && count >= max) {
                throw new DomainException.Conflict("tenant-quota-exceeded", "tenant '" + tenant + "' has " + count
                        + " devices, the most its quota " + quota + " allows; delete one first or ask for a higher "
                        + "quota");
            }
            if (count + adding > max) {
                throw new DomainException.Conflict("tenant-quota-exceeded", "tenant '" + tenant + "' has " + count
                        + " devices, and " + adding + " more would pass its quota " + quota + "; register at most "
                        + Math.max(0, max - count) + ", delete some first or ask for a higher quota");
            }
        }).replaceWithVoid();
    }

    /** Fails with device-exists, naming every item whose id is taken (in any tenant). */
    private Uni<Void> noneExists(List<Planned> planned) {
        return devices.existingIds(ids(planned)).invoke(taken -> {
            if (taken.isEmpty()) {
                return;
            }
            List<DomainException.FieldError> errors = planned.stream().filter(p -> taken.contains(p.draft().id()))
                    .map(p -> new DomainException.FieldError(p.field("id"), "device '" + p.draft().id()
                            + "' already exists"))
                    .toList();
            String message = taken.size() == 1 && planned.size() == 1
                    ? "a device with id '" + planned.get(0).draft().id() + "' already exists"
                    : taken.size() + " of the devices already exist: " + abbreviated(new TreeSet<>(taken));
            throw new DomainException.Conflict("device-exists", message + " (device ids are unique across tenants)",
                    errors);
        }).replaceWithVoid();
    }

    private static String abbreviated(Set<String> ids) {
        int shown = 20;
        String head = ids.stream().limit(shown).collect(Collectors.joining(", "));
        return ids.size() <= shown ? head : head + " and " + (ids.size() - shown) + " more";
    }

    private static List<String> ids(List<Planned> planned) {
        return planned.stream().map(p -> p.draft().id()).toList();
    }

    /** The new devices, each with a new token and a revision above its id's deleted namesake's. */
    private static List<Fresh> fresh(List<Planned> planned, Map<String, Profile> profiles, Map<String, Long> floors) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        List<Fresh> fresh = new ArrayList<>(planned.size());
        for (Planned p : planned) {
            String token = DeviceTokens.generate();
            Device d = new Device();
            d.id = p.draft().id();
            d.tenantId = p.tenant();
            d.createdAt = now;
            d.tokenHash = DeviceTokens.hash(token);
            d.tokenRotatedAt = now;
            d.revision = floors.getOrDefault(d.id, 0L);
            apply(d, p.spec(), now);
            fresh.add(new Fresh(d, d.overrides().over(profiles.get(d.profileId).thresholds()), token));
        }
        return fresh;
    }

    /**
     * Writes the devices, their outbox events and their audit entries, each kind with multi-row inserts: one statement
     * per row would bound a batch to a few hundred devices a second.
     */
    private Uni<Void> persist(Caller caller, List<Fresh> fresh) {
        List<Device> created = fresh.stream().map(Fresh::device).toList();
        return devices.insertAll(created)
                .call(() -> events.changedAll(fresh.stream()
                        .map(f -> Map.entry(f.device(), f.thresholds()))
                        .toList()))
                .call(() -> audit.recordAll(caller, "DEVICE_CREATED", AuditLog.DEVICE, created, d -> d.id,
                        d -> d.tenantId, d -> Map.of("name", d.name, "protocol", d.protocol.name(), "profileId",
                                d.profileId)));
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
        check(errors, spec, profile);
        errors.throwIfAny();
    }

    private static void check(Errors errors, DeviceSpec spec, Profile profile) {
        if (profile == null) {
            errors.add("profileId", "no profile '" + spec.profileId() + "' exists");
        }
        DeviceRules.check(errors, spec, profile == null ? null : profile.thresholds());
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
