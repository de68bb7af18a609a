package io.heartbeat.monitor.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** {@code heartbeat.monitor.*}. */
@ConfigMapping(prefix = "heartbeat.monitor")
public interface MonitorConfig {

    /** The consumer group of the liveness engines on {@code heartbeats}: its partitions are spread over replicas. */
    @WithDefault("heartbeat-status-monitor")
    String groupId();

    /** How long one poll waits: also the granularity of the deadline checks. */
    @WithDefault("PT0.1S")
    Duration tick();

    /** Most heartbeats per poll (and so per status transaction). */
    @WithDefault("5000")
    int batchSize();

    /**
     * Timeouts follow the heartbeat pipeline's own time: a deadline fires only once the partition's ingest time (the
     * newest ingest watermark's {@code at}; ingest writes them four times a second while it has taken in everything
     * devices sent) has passed it, so while ingest or Kafka is down or stalled nothing times out. A jump of that time by more
     * than this is a gap that counts against no device; a partition whose time has not moved for this long is reported
     * silent (health, {@code monitor.pipeline.silent.partitions}). {@code PT0S} turns this off: deadlines fire by the
     * monitor's clock (for an ingest that writes no watermarks).
     */
    @WithDefault("PT3S")
    Duration pipelineSilence();

    /** How often the SQL safety sweep looks for deadlines the engines have not acted on. */
    @WithDefault("30s")
    Duration sweepInterval();

    /** A deadline this far in the past, still pending, is counted by the sweep as overdue. */
    @WithDefault("PT5S")
    Duration sweepGrace();

    /** How often the outbox relay looks for unpublished events (an engine also runs it right after a commit). */
    @WithDefault("1s")
    Duration outboxPollInterval();

    /** Page size when a request names none. */
    @WithDefault("50")
    int defaultPageSize();

    /** Largest page size. */
    @WithDefault("500")
    int maxPageSize();

    /** Days probe results, scenario runs and transitions are kept (read by ResultRetention). */
    @WithDefault("30")
    int retentionDays();
}
