package io.heartbeat.command.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The command service's settings, each with its default here and settable by environment variable
 * ({@code HEARTBEAT_COMMAND_POLL_INTERVAL}, {@code HEARTBEAT_COMMAND_MAX_QUEUED_PER_DEVICE}, ...). The schedule job's
 * and the dispatcher's {@code @Scheduled} expressions read {@code heartbeat.command.poll-interval},
 * {@code retention-interval} and {@code schedule-cron} by name; their defaults come from here too.
 */
@ConfigMapping(prefix = "heartbeat.command")
public interface CommandConfig {

    /**
     * How often the dispatcher expires, times out and sends due commands (the timers' granularity); it also runs at
     * once after a create, an ack and a device's reconnect.
     */
    @WithDefault("1s")
    Duration pollInterval();

    /** A command's TTL when the request names none. */
    @WithDefault("PT1H")
    Duration defaultTtl();

    /** The longest TTL a command may have. */
    @WithDefault("P2D")
    Duration maxTtl();

    /** How long each attempt waits for the device's ack when the request names no ack timeout. */
    @WithDefault("PT10S")
    Duration defaultAckTimeout();

    /** Sends before a command is dead-lettered, when the request names no number. */
    @WithDefault("3")
    int defaultMaxAttempts();

    /** Backoff after a timed-out attempt: {@code retry-base * 2^(attempt-1)}, at most {@link #retryMax()}. */
    @WithDefault("PT2S")
    Duration retryBase();

    /** The longest backoff between two attempts (before jitter). */
    @WithDefault("PT5M")
    Duration retryMax();

    /** Up to this fraction of the backoff is added at random, so a fleet's retries spread out. */
    @WithDefault("0.2")
    double retryJitter();

    /** Open (not yet final) commands per device; more is refused with {@code 409 queue-full}. */
    @WithDefault("100")
    int maxQueuedPerDevice();

    /** Commands claimed (and then published, in order) per dispatcher step, and created per batch (CreateBatcher). */
    @WithDefault("500")
    int batchSize();

    /** Device answers applied per transaction. */
    @WithDefault("500")
    int ackBatchSize();

    /**
     * Device answers that may wait in memory for their batch; beyond that the acks channel waits for the database
     * (its buffer-size holds what the broker delivers meanwhile).
     */
    @WithDefault("5000")
    int ackBacklog();

    /**
     * A message on {@code devices/+/status} larger than this (bytes) is refused unread
     * ({@code command.acks.refused{reason=too-large}}); the broker lets through up to its max-packet-size (256 KiB),
     * and a result is stored with its command.
     */
    @WithDefault("65536")
    int maxAckSize();

    /** How long final commands (and their transitions) are kept before they are deleted; open ones never are. */
    @WithDefault("P30D")
    Duration retention();

    /** How often final commands past the retention are deleted. */
    @WithDefault("1h")
    Duration retentionInterval();

    /** Items per page of a list when the request names no size. */
    @WithDefault("50")
    int defaultPageSize();

    /** The largest page a list request may ask for. */
    @WithDefault("500")
    int maxPageSize();

    /**
     * When the schedule job runs (Quartz cron with seconds): at second 0 of every minute, like seed 002's
     * {@code schedule:process}; a fire time is made up to this late. {@code off} stops the job on this replica.
     */
    @WithDefault("0 * * * * ?")
    String scheduleCron();

    /**
     * How often every device instance with open commands or enabled schedules is compared with the device's current
     * registry view (a safety net: deletions and re-registrations are handled as they are read, too).
     */
    @WithDefault("1m")
    Duration reconcileInterval();

    /** The readers of {@code registry.devices} and {@code device-status.current}. */
    Feeds feeds();

    interface Feeds {
        /** How long one poll of a followed topic waits for records. */
        @WithDefault("PT0.1S")
        Duration pollTimeout();

        /** How long to wait before reading again after a reader failed (e.g. Kafka unreachable). */
        @WithDefault("PT2S")
        Duration retryDelay();
    }
}
