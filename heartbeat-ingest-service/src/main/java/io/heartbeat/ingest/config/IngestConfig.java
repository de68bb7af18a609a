package io.heartbeat.ingest.config;

import java.time.Duration;

import io.heartbeat.ingest.service.HeartbeatValidator;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Ingest settings; each can be set by environment variable (e.g. HEARTBEAT_INGEST_MAX_BODY_BYTES). */
@ConfigMapping(prefix = "heartbeat.ingest")
public interface IngestConfig {

    /** Largest heartbeat body accepted, in bytes; a larger one is a 413 / PAYLOAD_TOO_LARGE. */
    @WithDefault("16384")
    int maxBodyBytes();

    /** How much of a refused payload {@code heartbeats.rejected} keeps, in UTF-8 bytes (credentials removed first). */
    @WithDefault("512")
    int rejectedExcerptBytes();

    /** A device timestamp further in the future than this is refused (CLOCK_SKEW). */
    @WithDefault("PT5M")
    Duration maxFutureSkew();

    /** A device timestamp older than this is refused (TOO_OLD). */
    @WithDefault("PT24H")
    Duration maxAge();

    /** REJECT: a timestamp outside the window above is refused; FLAG: accepted with an anomaly flag. */
    @WithDefault("REJECT")
    HeartbeatValidator.TimestampPolicy timestampPolicy();

    /** How often the rate limiter forgets devices that have been quiet for more than a minute. */
    @WithDefault("60s")
    Duration rateLimiterSweepInterval();

    /** At most this many log lines per refusal reason per {@link #refusalLogWindow()}; the rest are counted. */
    @WithDefault("5")
    int refusalLogLimit();

    /** The window of {@link #refusalLogLimit()}. */
    @WithDefault("PT1M")
    Duration refusalLogWindow();

    /** Plausible telemetry ranges: a value outside is refused (OUT_OF_RANGE, 422). */
    Ranges ranges();

    /** The device directory (the in-memory copy of registry.devices). */
    Directory directory();

    /** Telemetry history in the ingest schema. */
    Telemetry telemetry();

    interface Telemetry {
        /** false: no history is written (the history endpoint then answers from what is there). */
        @WithDefault("true")
        boolean enabled();

        /** The consumer group that writes history from {@code heartbeats}. */
        @WithDefault("heartbeat-ingest-telemetry")
        String groupId();

        /** At most this many heartbeats per insert. */
        @WithDefault("2000")
        int batchSize();

        /** Days of history kept; whole daily partitions older than this are dropped. */
        @WithDefault("30")
        int retentionDays();

        /** Daily partitions are created this many days ahead. */
        @WithDefault("3")
        int daysAhead();

        /** How often partitions are created ahead and expired ones dropped (read by the @Scheduled job). */
        @WithDefault("1h")
        Duration maintenanceInterval();

        /** Rows per history answer when the request names no limit. */
        @WithDefault("100")
        int defaultLimit();

        /** Most rows per history answer. */
        @WithDefault("1000")
        int maxLimit();
    }

    interface Ranges {
        /** heart_rate below this is refused (seed 003: 30). */
        @WithDefault("30")
        double heartRateMin();

        /** heart_rate above this is refused (seed 003: 220). */
        @WithDefault("220")
        double heartRateMax();

        /** heart_rate below this is accepted but flagged HEART_RATE_LOW (seed 003: 45). */
        @WithDefault("45")
        double heartRateLow();

        /** heart_rate above this is accepted but flagged HEART_RATE_HIGH (seed 003: 180). */
        @WithDefault("180")
        double heartRateHigh();

        /** Smallest plausible socket voltage, volts. */
        @WithDefault("0")
        double voltageMin();

        /** Largest plausible socket voltage, volts. */
        @WithDefault("300")
        double voltageMax();

        /** Smallest plausible current, amperes. */
        @WithDefault("0")
        double currentMin();

        /** Largest plausible current, amperes. */
        @WithDefault("32")
        double currentMax();

        /** Smallest plausible power, watts. */
        @WithDefault("0")
        double powerMin();

        /** Largest plausible power, watts. */
        @WithDefault("8000")
        double powerMax();

        /** Smallest plausible energy counter, kWh. */
        @WithDefault("0")
        double energyMin();

        /** Largest plausible energy counter, kWh. */
        @WithDefault("10000000")
        double energyMax();
    }

    interface Directory {
        /** How long one poll of registry.devices waits for records. */
        @WithDefault("PT0.5S")
        Duration pollTimeout();

        /** How long to wait before retrying after the directory consumer failed (e.g. Kafka unreachable). */
        @WithDefault("PT2S")
        Duration retryDelay();
    }
}
