package io.heartbeat.registry.service;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.heartbeat.common.error.DomainException;
import io.heartbeat.common.security.Caller;
import io.heartbeat.contracts.Thresholds;
import io.heartbeat.registry.entity.Device;
import io.heartbeat.registry.entity.Profile;
import io.heartbeat.registry.repository.DeviceRepository;
import io.heartbeat.registry.repository.ProfileRepository;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Device profiles. A threshold change is a change of every device using the profile: each gets a new revision and its
 * new view is published, in the same transaction.
 */
@ApplicationScoped
public class ProfileService {

    private final ProfileRepository profiles;
    private final DeviceRepository devices;
    private final DeviceEvents events;
    private final AuditLog audit;

    public ProfileService(ProfileRepository profiles, DeviceRepository devices, DeviceEvents events, AuditLog audit) {
        this.profiles = profiles;
        this.devices = devices;
        this.events = events;
        this.audit = audit;
    }

    @WithSession
    public Uni<List<Profile>> list() {
        return profiles.listAllSorted();
    }

    @WithSession
    public Uni<Profile> find(String id) {
        return profiles.findById(id);
    }

    @WithTransaction
    public Uni<Profile> create(Caller caller, ProfileDraft draft) {
        Thresholds thresholds = (draft.thresholds() == null ? ThresholdValues.NONE : draft.thresholds())
                .over(Thresholds.DEFAULTS);
        Errors errors = new Errors();
        errors.check(draft.id() != null, "id", "is required");
        DeviceRules.checkProfile(errors, draft.id(), draft.name(), draft.description(), thresholds);
        errors.throwIfAny();
        return profiles.findById(draft.id()).flatMap(existing -> {
            if (existing != null) {
                throw new DomainException.Conflict("profile-exists", "profile '" + draft.id() + "' already exists");
            }
            Instant now = Instant.now();
            Profile p = new Profile();
            p.id = draft.id();
            p.name = draft.name().strip();
            p.description = draft.description();
            p.apply(thresholds);
            p.createdAt = now;
            p.updatedAt = now;
            p.revision = 1;
            return profiles.persist(p)
                    .call(() -> audit.record(caller, "PROFILE_CREATED", AuditLog.PROFILE, p.id, null,
                            Map.of("thresholds", thresholds)));
        });
    }

    /** Null if there is no such profile. */
    @WithTransaction
    public Uni<Profile> update(Caller caller, String id, ProfileChange change) {
        return profiles.findForUpdate(id).flatMap(p -> {
            if (p == null) {
                return Uni.createFrom().nullItem();
            }
            Thresholds before = p.thresholds();
            Thresholds after = (change.thresholds() == null ? ThresholdValues.NONE : change.thresholds()).over(before);
            String name = change.name() != null ? change.name() : p.name;
            Errors errors = new Errors();
            DeviceRules.checkProfile(errors, null, name, change.description(), after);
            errors.throwIfAny();
            Instant now = Instant.now();
            p.name = name.strip();
            if (change.description() != null) {
                p.description = change.description();
            }
            p.apply(after);
            p.updatedAt = now;
            p.revision++;
            Uni<Void> republish = before.equals(after) ? Uni.createFrom().voidItem()
                    : devices.findByProfileForUpdate(id).flatMap(ds -> republish(ds, after, now));
            return republish
                    .call(() -> audit.record(caller, "PROFILE_UPDATED", AuditLog.PROFILE, p.id, null,
                            Map.of("before", before, "after", after)))
                    .replaceWith(p);
        });
    }

    /** False if there is no such profile. The default profile and profiles in use cannot be deleted. */
    @WithTransaction
    public Uni<Boolean> delete(Caller caller, String id) {
        if (Profile.DEFAULT_ID.equals(id)) {
            throw new DomainException.Conflict("profile-in-use", "the default profile cannot be deleted");
        }
        return profiles.findForUpdate(id).flatMap(p -> {
            if (p == null) {
                return Uni.createFrom().item(false);
            }
            return devices.countByProfile(id).flatMap(count -> {
                if (count > 0) {
                    throw new DomainException.Conflict("profile-in-use",
                            "profile '" + id + "' is used by " + count + " device(s); move them first");
                }
                return profiles.delete(p)
                        .call(() -> audit.record(caller, "PROFILE_DELETED", AuditLog.PROFILE, id, null, Map.of()))
                        .replaceWith(true);
            });
        });
    }

    /** Every device of the profile gets a new revision and view; overrides must stay consistent. */
    private Uni<Void> republish(List<Device> ds, Thresholds profileThresholds, Instant now) {
        Errors errors = new Errors();
        for (Device d : ds) {
            for (String violation : d.overrides().over(profileThresholds).violations()) {
                errors.add("thresholds", "device '" + d.id + "' has overrides that would become inconsistent: "
                        + violation);
            }
        }
        errors.throwIfAny();
        return Multi.createFrom().iterable(ds)
                .onItem().transformToUniAndConcatenate(d -> {
                    d.revision++;
                    d.updatedAt = now;
                    return events.changed(d, d.overrides().over(profileThresholds));
                })
                .collect().last().replaceWithVoid();
    }
}
