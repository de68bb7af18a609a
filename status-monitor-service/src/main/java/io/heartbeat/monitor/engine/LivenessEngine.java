package io.heartbeat.monitor.engine;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.heartbeat.common.batch.BisectingBatchWriter;
import io.heartbeat.contracts.DeviceState;
import io.heartbeat.contracts.DeviceView;
import io.heartbeat.contracts.EventFormatException;
import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.HeartbeatAccepted;
import io.heartbeat.contracts.HeartbeatWatermark;
import io.heartbeat.contracts.Thresholds;
import io.heartbeat.contracts.Topics;
import io.heartbeat.contracts.TransitionReason;
import io.heartbeat.contracts.kafka.ConsumerLoop;
import io.heartbeat.monitor.config.MonitorConfig;
import io.heartbeat.monitor.engine.Liveness.Outcome;
import io.heartbeat.monitor.engine.StatusStore.Change;
import io.heartbeat.monitor.engine.StatusStore.Written;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * The single writer of the devices on the partitions of {@code heartbeats} this replica owns (a consumer group spreads
 * partitions over replicas). One thread does everything for its devices, so heartbeats, timeouts and registry changes
 * of a device never interleave:
 * <ol>
 * <li>poll heartbeats (at most every {@code tick}, 100 ms), keep each device's newest ingest timestamp;</li>
 * <li>apply registry changes and reload requests queued by other threads (probes write under a row lock and ask the
 * owner to reload);</li>
 * <li>if the consumer is caught up on every owned partition, take the devices whose deadline passed from the
 * {@link DeadlineIndex}: while it is behind, expirations wait, so a stalled, restarted or rebalanced monitor never
 * marks a device offline whose heartbeats are still in the topic;</li>
 * <li>write everything in one transaction: devices that stay CONNECTED in one batched, coalesced UPDATE, transitions
 * with their rows and device-status outbox events; every write checks the row version (a conflicting device is
 * reloaded and evaluated again);</li>
 * <li>commit the Kafka offsets only after that transaction.</li>
 * </ol>
 * When partitions are assigned, their devices' statuses are loaded from Postgres and the deadline index rebuilt.
 */
@ApplicationScoped
public class LivenessEngine {

    /** Times a heartbeat is applied again to a reloaded row when other writers keep changing it meanwhile. */
    static final int MAX_CONFLICT_RETRIES = 5;

    private final StatusStore store;
    private final DeviceViews views;
    private final MonitorConfig config;
    private final Clock clock;
    private final String bootstrapServers;
    private final MonitorEvents events;
    private final Counter heartbeats;
    private final Counter conflicts;
    private final Timer detectionDelay;
    private final Timer persistedAfterReceipt;
    private final Timer persistedAfterSend;
    private final Timer rebuild;

    /** Owned devices' statuses and deadlines: touched by the engine thread only. */
    private final Map<String, DeviceStatus> owned = new HashMap<>();
    private final DeadlineIndex deadlines = new DeadlineIndex();
    private final PipelineWatch pipeline;
    private final Counter pipelineGaps;
    private final Timer pipelineGapLength;
    private final Counter heldDeadlines;
    private final Set<Integer> ownedPartitions = ConcurrentHashMap.newKeySet();
    private volatile int partitionCount;
    private final Queue<String> viewChanges = new ConcurrentLinkedQueue<>();
    private final Queue<String> reloads = new ConcurrentLinkedQueue<>();
    private volatile boolean behind = true;
    private volatile Instant lastRebuild;
    private final ConsumerLoop loop;
    private final BisectingBatchWriter<StatusStore.Pending, Written> writer;

    public LivenessEngine(StatusStore store, DeviceViews views, MonitorConfig config, Clock clock,
            @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers, MonitorEvents events,
            MeterRegistry metrics) {
        this.store = store;
        this.writer = new BisectingBatchWriter<>(StatusStore.WRITER, store::write, store::reject, metrics);
        this.views = views;
        this.config = config;
        this.clock = clock;
        this.bootstrapServers = bootstrapServers;
        this.events = events;
        this.heartbeats = metrics.counter("monitor.heartbeats.processed");
        this.conflicts = metrics.counter("monitor.status.write.conflicts");
        this.detectionDelay = Timer.builder("monitor.detection.delay")
                .description("Persisted timeout transition time minus the deadline it was due at")
                .publishPercentiles(0.5, 0.99).publishPercentileHistogram().register(metrics);
        this.persistedAfterReceipt = persistDelay("receipt",
                "From ingest's receipt of a heartbeat to the commit of the device status it updated", metrics);
        this.persistedAfterSend = persistDelay("device",
                "From the device's own timestamp of a heartbeat to the commit of the device status it updated (as"
                        + " good as the device's clock; never below 0)",
                metrics);
        this.rebuild = Timer.builder("monitor.rebuild.duration")
                .description("Loading owned devices' statuses and rebuilding the deadline index after an assignment")
                .register(metrics);
        // a held deadline is looked at again on the next tick: the watermark that lets it fire may be in that poll
        this.pipeline = new PipelineWatch(config.pipelineSilence(), config.tick());
        this.pipelineGaps = metrics.counter("monitor.pipeline.gaps");
        this.pipelineGapLength = Timer.builder("monitor.pipeline.gap.duration")
                .description("How long a partition of heartbeats carried neither heartbeats nor ingest watermarks")
                .register(metrics);
        this.heldDeadlines = metrics.counter("monitor.pipeline.deadlines.held");
        metrics.gauge("monitor.pipeline.silent.partitions", pipeline, w -> w.silentPartitions(clock.instant()).size());
        metrics.gauge("monitor.engine.owned.devices", owned, Map::size);
        metrics.gauge("monitor.engine.behind", this, e -> e.behind ? 1 : 0);
        this.loop = new ConsumerLoop("liveness-engine", Duration.ofSeconds(2)) {
            @Override
            protected Properties properties() {
                return LivenessEngine.this.properties();
            }

            @Override
            protected void consume(KafkaConsumer<String, String> c) {
                run(c, this);
            }
        };
        views.onChange(viewChanges::add);
    }

    private static Timer persistDelay(String since, String description, MeterRegistry metrics) {
        return Timer.builder("monitor.heartbeat.persist.delay").tag("since", since).description(description)
                .publishPercentiles(0.5, 0.99).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(60))
                .register(metrics);
    }

    void start(@Observes StartupEvent event) {
        loop.start();
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        loop.stop();
    }

    /** Stops the engine (its partitions go to other replicas); for an orderly shutdown and restart tests. */
    public void halt() throws InterruptedException {
        loop.stop();
    }

    /** Starts the engine again after {@link #halt()}: it rejoins the group and rebuilds from Postgres. */
    public void resume() {
        loop.start();
    }

    /** Asks the owner of the device (if it is this replica) to reload it from Postgres: a probe changed it. */
    public void reload(String deviceId) {
        if (owns(deviceId)) {
            reloads.add(deviceId);
        }
    }

    /** Whether this replica's engine owns the device's partition now. */
    public boolean owns(String deviceId) {
        int n = partitionCount;
        return n > 0 && ownedPartitions.contains(partition(deviceId, n));
    }

    /** Whether the engine has read its partitions to the end (timeouts fire only then). */
    public boolean caughtUp() {
        return !behind;
    }

    public Instant lastRebuild() {
        return lastRebuild;
    }

    /** Whether the heartbeat pipeline feeds every owned partition (what health reports). */
    public PipelineWatch pipeline() {
        return pipeline;
    }

    static int partition(String deviceId, int partitions) {
        return Utils.toPositive(Utils.murmur2(deviceId.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    private void run(KafkaConsumer<String, String> c, ConsumerLoop self) {
        // thresholds come from the views: read them before the first heartbeat is judged
        while (self.running() && !views.caughtUp()) {
            ConsumerLoop.pause(Duration.ofMillis(100));
        }
        partitionCount = c.partitionsFor(Topics.HEARTBEATS, Duration.ofSeconds(30)).size();
        c.subscribe(List.of(Topics.HEARTBEATS), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                revoke(partitions);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                assign(partitions);
            }
        });
        try {
            while (self.running()) {
                ConsumerRecords<String, String> records = c.poll(config.tick());
                tick(c, records);
            }
        } finally {
            revoke(new ArrayList<>(c.assignment()));
        }
    }

    private void tick(KafkaConsumer<String, String> c, ConsumerRecords<String, String> records) {
        Instant now = clock.instant();
        Map<String, Instant> newest = new HashMap<>();
        Map<String, String> tenants = new HashMap<>();
        List<Arrival> arrivals = new ArrayList<>();
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        int watermarks = 0;
        for (ConsumerRecord<String, String> r : records) {
            offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
            if (HeartbeatWatermark.marks(r.headers())) {
                watermarks++;
                // ingest's pulse: the pipeline works up to its time, no heartbeat
                pipelineAt(r, watermarkTime(r), now);
                continue;
            }
            try {
                HeartbeatAccepted hb = r.value() == null ? null : EventJson.read(r.value(), HeartbeatAccepted.class);
                if (hb != null && hb.deviceId() != null && hb.receivedAt() != null) {
                    newest.merge(hb.deviceId(), hb.receivedAt(), (a, b) -> a.isAfter(b) ? a : b);
                    arrivals.add(new Arrival(hb.deviceId(), hb.receivedAt(), hb.sentAt()));
                    if (hb.tenantId() != null) {
                        tenants.put(hb.deviceId(), hb.tenantId());
                    }
                }
            } catch (EventFormatException e) {
                Log.errorf("skipping unreadable heartbeat at %s-%d@%d", r.topic(), r.partition(), r.offset());
            }
        }
        heartbeats.increment(records.count() - watermarks);
        behind = records.count() >= config.batchSize() || lagging(c);

        Map<String, Change> changes = new HashMap<>();
        Map<String, DeviceStatus> heartbeatOnly = new HashMap<>();
        reloadRequested();
        Set<String> viewed = applyViewChanges(now, changes);
        for (Map.Entry<String, Instant> e : newest.entrySet()) {
            DeviceStatus s = current(e.getKey(), now, changes);
            if (s == null && tenants.containsKey(e.getKey()) && views.find(e.getKey()).isEmpty()) {
                // ingest accepted it, so the registry has it; its view has not reached this monitor yet
                s = register(e.getKey(), tenants.get(e.getKey()), null, Thresholds.DEFAULTS, null, now, changes);
            }
            if (s == null) {
                continue;
            }
            Outcome o = Liveness.heartbeat(s, e.getValue(), now);
            collect(o, changes, heartbeatOnly);
        }
        if (!behind) {
            for (String id : deadlines.due(now)) {
                DeviceStatus s = changes.containsKey(id) ? changes.get(id).status() : owned.get(id);
                if (s == null || heartbeatOnly.containsKey(id)) {
                    continue;
                }
                int partition = partitionCount == 0 ? -1 : partition(id, partitionCount);
                Instant held = pipeline.hold(partition, s.deadlineAt(), s.lastEvidenceAt(), now);
                if (held != null) {
                    heldDeadlines.increment();
                    deadlines.schedule(id, held);
                    continue;
                }
                Outcome o = Liveness.deadline(s, now, pipeline.excused(partition, s.deadlineAt(), s.lastEvidenceAt()));
                if (!o.applied() && o.status().tracked()) {
                    deadlines.schedule(id, o.status().deadlineAt()); // not passed after all: keep it indexed
                }
                collect(o, changes, heartbeatOnly);
            }
        }
        if (!changes.isEmpty() || !heartbeatOnly.isEmpty()) {
            Persisted p = persist(new ArrayList<>(heartbeatOnly.values()), new ArrayList<>(changes.values()), newest,
                    viewed, now);
            recordPersistDelays(arrivals, p);
        }
        if (!offsets.isEmpty()) {
            c.commitSync(offsets);
        }
    }

    /** A heartbeat read in this tick: whose, when ingest received it, the device's own timestamp (nullable). */
    private record Arrival(String deviceId, Instant receivedAt, Instant sentAt) {
    }

    /** When the tick's statuses were committed, and the devices whose status was. */
    private record Persisted(Instant at, Set<String> devices) {
    }

    /** How stale a persisted status was behind the heartbeats it took in, from ingest's receipt and the device's send. */
    private void recordPersistDelays(List<Arrival> arrivals, Persisted p) {
        for (Arrival a : arrivals) {
            if (!p.devices().contains(a.deviceId())) {
                continue; // not applied (an older heartbeat, an unknown device, a rejected row)
            }
            persistedAfterReceipt.record(Math.max(0, Duration.between(a.receivedAt(), p.at()).toMillis()),
                    TimeUnit.MILLISECONDS);
            if (a.sentAt() != null) {
                persistedAfterSend.record(Math.max(0, Duration.between(a.sentAt(), p.at()).toMillis()),
                        TimeUnit.MILLISECONDS);
            }
        }
    }

    /** The pipeline feeding the record's partition has got to {@code ingestTime}. */
    private void pipelineAt(ConsumerRecord<String, String> r, Instant ingestTime, Instant now) {
        PipelineWatch.Gap gap = pipeline.seen(r.partition(), ingestTime, now);
        if (gap != null) {
            pipelineGaps.increment();
            pipelineGapLength.record(gap.length());
            Log.warnf("heartbeats partition %d: the pipeline was silent for %d ms (ingest time %s to %s); deadlines"
                    + " that fell in the gap move on by its length", gap.partition(), gap.length().toMillis(),
                    gap.start(), gap.end());
        }
    }

    private static Instant watermarkTime(ConsumerRecord<String, String> r) {
        try {
            return r.value() == null ? null : EventJson.read(r.value(), HeartbeatWatermark.class).at();
        } catch (EventFormatException e) {
            Log.errorf("skipping unreadable watermark at %s-%d@%d", r.topic(), r.partition(), r.offset());
            return null;
        }
    }

    private void collect(Outcome o, Map<String, Change> changes, Map<String, DeviceStatus> heartbeatOnly) {
        String id = o.status().deviceId();
        if (!o.applied() && !changes.containsKey(id)) {
            return;
        }
        Change prior = changes.get(id);
        if (prior != null) {
            changes.put(id, prior.then(o.status(), o.transition()));
            heartbeatOnly.remove(id);
        } else if (o.changed()) {
            changes.put(id, Change.of(o.status(), o.transition()));
            heartbeatOnly.remove(id);
        } else {
            heartbeatOnly.put(id, o.status());
        }
    }

    /**
     * Writes; conflicting devices are reloaded and their heartbeats evaluated once more. A registry view reconciled in
     * this tick whose write lost to another writer is reconciled again on the next tick, against the reloaded row.
     * Answers when the first write committed and whose statuses it stored.
     */
    private Persisted persist(List<DeviceStatus> heartbeatOnly, List<Change> changes, Map<String, Instant> newest,
            Set<String> viewed, Instant now) {
        Set<String> rejected = new HashSet<>();
        Written w = write(heartbeatOnly, changes, rejected);
        Set<String> stored = new HashSet<>();
        for (DeviceStatus s : w.stored()) {
            stored.add(s.deviceId());
            owned.put(s.deviceId(), s);
            deadlines.schedule(s.deviceId(), s.tracked() ? s.deadlineAt() : null);
        }
        // a device written again after a conflict is left out of the delays: its commit time is a later one
        Persisted persisted = new Persisted(w.persistedAt(), stored);
        boolean anyTransition = false;
        for (Change c : changes) {
            if (w.conflicts().contains(c.status().deviceId()) || rejected.contains(c.status().deviceId())) {
                continue;
            }
            for (Liveness.Transition t : c.transitions()) {
                anyTransition = true;
                events.transition(t.reason(), t.to());
                if (t.deadline() != null) {
                    detectionDelay.record(Math.max(0, Duration.between(t.deadline(), w.persistedAt()).toMillis()),
                            TimeUnit.MILLISECONDS);
                }
            }
        }
        if (anyTransition) {
            events.published();
        }
        if (w.conflicts().isEmpty()) {
            return persisted;
        }
        w.conflicts().stream().filter(viewed::contains).forEach(viewChanges::add);
        // the heartbeats were read (their offsets are committed after this tick): apply them to the reloaded rows,
        // a few times over if other writers keep winning
        Set<String> pending = w.conflicts();
        for (int attempt = 1; !pending.isEmpty(); attempt++) {
            conflicts.increment(pending.size());
            Log.debugf("status version conflicts for %s; reloading", pending);
            reload(pending);
            List<Change> retry = new ArrayList<>();
            List<DeviceStatus> retryHb = new ArrayList<>();
            for (String id : pending) {
                DeviceStatus s = owned.get(id);
                Instant hb = newest.get(id);
                if (s != null && hb != null) {
                    Outcome o = Liveness.heartbeat(s, hb, now);
                    if (o.changed()) {
                        retry.add(Change.of(o.status(), o.transition()));
                    } else if (o.applied()) {
                        retryHb.add(o.status());
                    }
                }
            }
            if (retry.isEmpty() && retryHb.isEmpty()) {
                return persisted;
            }
            if (attempt > MAX_CONFLICT_RETRIES) {
                Log.warnf("heartbeats of %d devices not applied: their rows kept changing under %d retries (%s)",
                        pending.size(), MAX_CONFLICT_RETRIES, pending);
                return persisted;
            }
            Written again = write(retryHb, retry, rejected);
            again.stored().forEach(s -> {
                owned.put(s.deviceId(), s);
                deadlines.schedule(s.deviceId(), s.tracked() ? s.deadlineAt() : null);
            });
            Set<String> lost = again.conflicts();
            retry.stream().filter(c -> !lost.contains(c.status().deviceId()) && !rejected.contains(c.status().deviceId()))
                    .flatMap(c -> c.transitions().stream())
                    .forEach(t -> events.transition(t.reason(), t.to()));
            if (!retry.isEmpty()) {
                events.published();
            }
            pending = lost;
        }
        return persisted;
    }

    /**
     * Writes through the bisecting batch writer: a device whose row Postgres refuses for its data (a NUL in an id
     * from a forged heartbeat, a time out of range) is set aside in {@code monitor.rejected_row} and added to
     * {@code rejected}; the others are written. Used to fail the whole tick, replayed from the same offsets forever.
     * A passing failure (Postgres down) still fails the tick, which is retried as a whole.
     */
    private Written write(List<DeviceStatus> heartbeatOnly, List<Change> changes, Set<String> rejected) {
        BisectingBatchWriter.Outcome<StatusStore.Pending, Written> outcome = writer
                .write(StatusStore.Pending.of(heartbeatOnly, changes)).await().atMost(Duration.ofSeconds(30));
        List<DeviceStatus> stored = new ArrayList<>();
        Set<String> conflicted = new HashSet<>();
        Instant persistedAt = null;
        for (Written w : outcome.results()) {
            stored.addAll(w.stored());
            conflicted.addAll(w.conflicts());
            persistedAt = w.persistedAt();
        }
        outcome.rejected().forEach(r -> rejected.add(r.row().deviceId()));
        return new Written(stored, conflicted, persistedAt == null ? clock.instant() : persistedAt);
    }

    private void reloadRequested() {
        Set<String> ids = new HashSet<>();
        for (String id; (id = reloads.poll()) != null;) {
            ids.add(id);
        }
        reload(ids);
    }

    private void reload(Set<String> ids) {
        if (ids.isEmpty()) {
            return;
        }
        for (DeviceStatus s : store.load(ids).await().atMost(Duration.ofSeconds(30))) {
            if (owns(s.deviceId())) {
                owned.put(s.deviceId(), s);
                deadlines.schedule(s.deviceId(), s.tracked() ? s.deadlineAt() : null);
            }
        }
    }

    /** The device's status, or a new UNKNOWN one (with a DEVICE_REGISTERED change) if the registry knows it. */
    private DeviceStatus current(String deviceId, Instant now, Map<String, Change> changes) {
        Change pending = changes.get(deviceId);
        if (pending != null) {
            return pending.status();
        }
        DeviceStatus s = owned.get(deviceId);
        if (s != null) {
            return s;
        }
        DeviceView view = views.find(deviceId).orElse(null);
        if (view == null || !view.enabled()) {
            return null;
        }
        return register(deviceId, view.tenantId(), view.profileId(), view.thresholds(), view.createdAt(), now,
                changes);
    }

    /**
     * A new UNKNOWN status with its DEVICE_REGISTERED change. Without a view yet (a heartbeat overtook it), the seeds'
     * thresholds apply until the view arrives and is reconciled.
     */
    private static DeviceStatus register(String deviceId, String tenantId, String profileId, Thresholds thresholds,
            Instant createdAt, Instant now, Map<String, Change> changes) {
        DeviceStatus fresh = DeviceStatus.unknown(deviceId, tenantId, profileId, DeviceViews.limits(thresholds), now,
                createdAt);
        changes.put(deviceId, Change.of(fresh, registered(now)));
        return fresh;
    }

    private static Liveness.Transition registered(Instant now) {
        return new Liveness.Transition(DeviceState.UNKNOWN, DeviceState.UNKNOWN, TransitionReason.DEVICE_REGISTERED,
                now, null, null, null, null);
    }

    /**
     * Whether the view is another registration than the one the status belongs to: the id was deleted and registered
     * again (by another tenant, perhaps), and the status, its history and its heartbeats are not the new device's.
     */
    static boolean otherInstance(DeviceStatus s, DeviceView view) {
        return !view.tenantId().equals(s.tenantId())
                || (s.deviceCreatedAt() != null && !s.deviceCreatedAt().equals(view.createdAt()));
    }

    /** Reconciles owned devices whose view changed (at most one batch per tick); returns the ids looked at. */
    private Set<String> applyViewChanges(Instant now, Map<String, Change> changes) {
        // at most one batch per tick: a whole fleet appearing at once is written over several transactions
        Set<String> ids = new HashSet<>();
        for (String id; ids.size() < config.batchSize() && (id = viewChanges.poll()) != null;) {
            ids.add(id);
        }
        for (String id : ids) {
            if (owns(id)) {
                reconcile(id, now, changes);
            }
        }
        return ids;
    }

    /** Brings an owned device's status in line with its registry view. */
    private void reconcile(String id, Instant now, Map<String, Change> changes) {
        DeviceView view = views.find(id).orElse(null);
        DeviceStatus s = changes.containsKey(id) ? changes.get(id).status() : owned.get(id);
        if (s == null) {
            if (view != null && view.enabled()) {
                current(id, now, changes);
            }
            return;
        }
        if (view != null && otherInstance(s, view)) {
            // start over: a new UNKNOWN status in place of the earlier device's (whose last transition, if its
            // tombstone was read, was DEVICE_DELETED)
            DeviceStatus fresh = s.registeredAgain(view.tenantId(), view.profileId(),
                    DeviceViews.limits(view.thresholds()), now, view.createdAt());
            Change prior = changes.get(id);
            changes.put(id, prior == null ? Change.of(fresh, registered(now)) : prior.then(fresh, registered(now)));
            if (!view.enabled()) {
                Outcome off = Liveness.untrack(fresh, TransitionReason.DEVICE_DISABLED, now);
                changes.put(id, changes.get(id).then(off.status(), off.transition()));
            }
            return;
        }
        if (view != null && s.deviceCreatedAt() == null) {
            // created from a heartbeat that overtook the view: the instance is known now
            s = s.withInstance(view.createdAt());
            Change prior = changes.get(id);
            changes.put(id, (prior == null ? Change.of(s, null) : prior.then(s, null)).adoptingInstance());
        }
        Outcome o = null;
        if (view == null) {
            o = Liveness.untrack(s, TransitionReason.DEVICE_DELETED, now);
        } else if (!view.enabled() && s.tracked()) {
            o = Liveness.untrack(s, TransitionReason.DEVICE_DISABLED, now);
        } else if (view.enabled() && !s.tracked()) {
            o = Liveness.track(s, now);
        }
        if (o != null && o.changed()) {
            s = o.status();
            Change prior = changes.get(id);
            changes.put(id, prior == null ? Change.of(s, o.transition()) : prior.then(s, o.transition()));
        }
        if (view != null) {
            DeviceStatus.Limits limits = DeviceViews.limits(view.thresholds());
            boolean moved = !limits.equals(s.limits()) || !view.tenantId().equals(s.tenantId())
                    || !java.util.Objects.equals(view.profileId(), s.profileId());
            if (moved) {
                DeviceStatus updated = Liveness.rethreshold(s.withLimits(view.tenantId(), view.profileId(),
                        s.limits()), limits);
                Change prior = changes.get(id);
                changes.put(id, prior == null ? Change.of(updated, null) : prior.then(updated, null));
            }
        }
    }

    private boolean lagging(KafkaConsumer<String, String> c) {
        for (TopicPartition tp : c.assignment()) {
            OptionalLong lag = c.currentLag(tp);
            if (lag.isEmpty() || lag.getAsLong() > 0) {
                return true;
            }
        }
        return false;
    }

    private void assign(Collection<TopicPartition> partitions) {
        long t0 = System.nanoTime();
        behind = true;
        for (TopicPartition tp : partitions) {
            ownedPartitions.add(tp.partition());
        }
        pipeline.assigned(partitions.stream().map(TopicPartition::partition).toList(), clock.instant());
        List<DeviceStatus> all = store.loadAll().await().atMost(Duration.ofSeconds(60));
        int loaded = 0;
        for (DeviceStatus s : all) {
            if (owns(s.deviceId())) {
                owned.put(s.deviceId(), s);
                deadlines.schedule(s.deviceId(), s.tracked() ? s.deadlineAt() : null);
                loaded++;
            }
        }
        // devices the registry knows but the monitor has no row for (created while it was down): on the next tick
        for (String id : views.all().keySet()) {
            if (owns(id) && !owned.containsKey(id)) {
                viewChanges.add(id);
            }
        }
        for (DeviceStatus s : owned.values()) {
            DeviceView v = views.find(s.deviceId()).orElse(null);
            if (v == null || v.enabled() != s.tracked() || !DeviceViews.limits(v.thresholds()).equals(s.limits())
                    || otherInstance(s, v) || s.deviceCreatedAt() == null) {
                if (views.caughtUp()) {
                    viewChanges.add(s.deviceId());
                }
            }
        }
        lastRebuild = clock.instant();
        rebuild.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
        Log.infof("liveness engine owns partitions %s of %s: %d devices loaded, %d deadlines, in %d ms", partitions,
                Topics.HEARTBEATS, loaded, deadlines.size(), (System.nanoTime() - t0) / 1_000_000);
    }

    private void revoke(Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            ownedPartitions.remove(tp.partition());
        }
        pipeline.revoked(partitions.stream().map(TopicPartition::partition).toList());
        int n = partitionCount;
        owned.keySet().removeIf(id -> n == 0 || !ownedPartitions.contains(partition(id, n)));
        deadlines.clear();
        owned.values().forEach(s -> deadlines.schedule(s.deviceId(), s.tracked() ? s.deadlineAt() : null));
    }

    private Properties properties() {
        return ConsumerLoop.consumerProperties(bootstrapServers, "monitor-liveness-engine", config.groupId(),
                config.batchSize());
    }
}
