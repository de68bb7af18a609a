package io.heartbeat.contracts;

import java.time.Instant;

/**
 * Proof that the heartbeat pipeline is alive when no heartbeat is flowing: every ingest replica writes one to every
 * partition of {@link Topics#HEARTBEATS} each second (marked with the {@link #HEADER} header, key {@link #KEY}) while
 * its intake is working. A consumer that sees neither a heartbeat nor a watermark on a partition for a while knows that
 * ingest, or Kafka between them, is down or stalled, and that a device's silence on that partition is not evidence
 * (the status monitor pauses timeouts then). Consumers that read heartbeats skip records with the header.
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
}
