package io.heartbeat.contracts;

import java.time.Instant;

/**
 * The heartbeat pipeline's time when no heartbeat is flowing: every ingest replica writes one to every partition of
 * {@link Topics#HEARTBEATS} several times a second (marked with the {@link #HEADER} header, key {@link #KEY}) while its
 * intake is working. Together with the heartbeats' {@code receivedAt} it tells a consumer how far ingest has got on
 * the partition: the status monitor lets a device's deadline fire only once that time has passed it, so when ingest,
 * or Kafka between them, is down or stalled, a device's silence is not taken for its death. Consumers that read
 * heartbeats skip records with the header.
 *
 * @param schemaVersion {@link #SCHEMA_VERSION}
 * @param source the ingest replica that wrote it (its instance id)
 * @param partition the partition it was written to
 * @param at ingest clock when it was written: every heartbeat the replica accepted before this time on this partition
 *        precedes it in the partition
 */
public record HeartbeatWatermark(int schemaVersion, String source, int partition, Instant at) {

    public static final int SCHEMA_VERSION = 1;

    /** The record header that marks a watermark (its value is {@code 1}). */
    public static final String HEADER = "heartbeat-watermark";

    /** The record key of a watermark: no device id starts with {@code ~} (the registry's id rule). */
    public static final String KEY = "~watermark";

    /** Whether a record of {@link Topics#HEARTBEATS} with these headers is a watermark, not a heartbeat. */
    public static boolean marks(org.apache.kafka.common.header.Headers headers) {
        return headers != null && headers.lastHeader(HEADER) != null;
    }
}
