package io.heartbeat.ingest.config;

import java.time.Duration;

import io.heartbeat.ingest.service.HeartbeatValidator;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Ingest settings; each can be set by environment variable (e.g. HEARTBEAT_INGEST_MAX_BODY_BYTES). */
@ConfigMapping(prefix = "heartbeat.ingest")
public interface IngestConfig {

    /**
     * Whether an MQTT message without a credential in its body is taken as the device its topic names
     * ({@code devices/{id}/heartbeat}). True with the platform's broker extension, which authenticates every
     * connection and lets a device publish only on its own topics; set false (HEARTBEAT_INGEST_MQTT_TOPIC_IS_IDENTITY)
     * only against a broker without it, and every MQTT heartbeat then needs {@code jwt_token} or {@code api_token}.
     */
    @WithDefault("true")
    boolean mqttTopicIsIdentity();

    /** Largest heartbeat body accepted, in bytes; a larger one is a 413 / PAYLOAD_TOO_LARGE. */
    @WithDefault("16384")
    int maxBodyBytes();

    /** How much of a refused payload {@code heartbeats.rejected} keeps, in UTF-8 bytes (credentials removed first). */
    @WithDefault("512")
    int rejectedExcerptBytes();

    /**
     * How often this replica writes a {@code HeartbeatWatermark} to every partition of {@code heartbeats} while its
     * intake works (views read, MQTT subscribed): the status monitor lets a device's deadline fire only once its
     * partition's ingest time has passed it, so this bounds how late a timeout may be. Four
     * times a second by default: a record per partition each time, a few dozen a second beside thousands of heartbeats.
     */
    @WithDefault("PT0.25S")
    Duration watermarkInterval();

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

    /** heartbeats.rejected records of HTTP requests that did not authenticate, limited per source address. */
    UnauthenticatedRejections unauthenticatedRejections();

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

    /**
     * A request without a valid device credential (UNAUTHENTICATED, INVALID_CREDENTIAL, EXPIRED_CREDENTIAL,
     * UNKNOWN_DEVICE) still gets its 401, but only the first {@link #perSourceLimit()} of a source address per
     * {@link #window()} become records on heartbeats.rejected; the rest are only counted
     * ({@code ingest_rejections_suppressed_total{reason}}). Anyone who reaches the port can send 401s; this keeps them
     * from costing a Kafka record each. MQTT is not limited here: the broker authenticates those connections.
     */
    interface UnauthenticatedRejections {
        /** Records per source address and window (HEARTBEAT_INGEST_UNAUTHENTICATED_REJECTIONS_PER_SOURCE_LIMIT); 0: none. */
        @WithDefault("10")
        int perSourceLimit();

        /** The window of {@link #perSourceLimit()} (HEARTBEAT_INGEST_UNAUTHENTICATED_REJECTIONS_WINDOW). */
        @WithDefault("PT1M")
        Duration window();

        /**
         * Most source addresses tracked at once (HEARTBEAT_INGEST_UNAUTHENTICATED_REJECTIONS_MAX_SOURCES); beyond it
         * new sources share one limit, so a flood from many addresses stays bounded too.
         */
        @WithDefault("100000")
        int maxSources();
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
