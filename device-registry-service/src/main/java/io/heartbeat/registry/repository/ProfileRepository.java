package io.heartbeat.registry.repository;

import java.util.Collection;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import io.heartbeat.registry.entity.Profile;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;

@ApplicationScoped
public class ProfileRepository implements PanacheRepositoryBase<Profile, String> {

    public Uni<Profile> findForUpdate(String id) {
        return findById(id, LockModeType.PESSIMISTIC_WRITE);
    }

    /**
     * Loads a profile with a share lock: a device change that reads a profile's thresholds waits for, and is not
     * lost behind, a concurrent threshold change of that profile (which takes the row for update).
     */
    public Uni<Profile> findForShare(String id) {
        return findById(id, LockModeType.PESSIMISTIC_READ);
    }

    /** {@link #findForShare(String)} for several profiles, in one query. */
    public Uni<List<Profile>> findForShare(Collection<String> ids) {
        return find("id in ?1", ids).withLock(LockModeType.PESSIMISTIC_READ).list();
    }

    public Uni<List<Profile>> findByIds(Collection<String> ids) {
        return ids.isEmpty() ? Uni.createFrom().item(List.of()) : list("id in ?1", ids);
    }

    public Uni<List<Profile>> listAllSorted() {
        return listAll(Sort.by("id"));
    }
}
