package io.heartbeat.contracts;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * A heartbeat ingest refused: nothing refused is silently dropped. Produced by ingest on
 * {@link Topics#HEARTBEATS_REJECTED} (key: device id, or {@code null} when unknown); consumed by audit and
 * dashboards.
 *
 * @param schemaVersion {@link #SCHEMA_VERSION}
 * @param rejectionId UUID assigned by ingest
 * @param deviceId the claimed device id, {@code null} when it could not be determined
 * @param tenantId the device's tenant, {@code null} when not known
 * @param channel the channel it arrived on
 * @param source the MQTT topic or HTTP path it arrived on
 * @param reason why it was refused
 * @param detail human-readable explanation
 * @param payloadExcerpt the start of the payload, bounded with {@link #excerpt(byte[], int)}; credentials (e.g.
 *        {@code jwt_token}) must be redacted before excerpting; nullable
 * @param receivedAt when ingest received it
 */
public record HeartbeatRejected(
        int schemaVersion,
        String rejectionId,
        String deviceId,
        String tenantId,
        Channel channel,
        String source,
        RejectReason reason,
        String detail,
        String payloadExcerpt,
        Instant receivedAt) {

    public static final int SCHEMA_VERSION = 1;

    /** A sensible bound for {@link #payloadExcerpt()}, in UTF-8 bytes. */
    public static final int DEFAULT_EXCERPT_BYTES = 512;

    /** Appended to an excerpt that was cut. */
    public static final String TRUNCATION_MARK = "…";

    /**
     * The first {@code maxBytes} bytes of a payload as text. When the payload is longer, the cut is moved back to a
     * UTF-8 character boundary (never splitting a character) and {@link #TRUNCATION_MARK} is appended, so a truncated
     * excerpt holds at most {@code maxBytes} payload bytes plus the mark. Bytes that are not valid UTF-8 become U+FFFD.
     *
     * @param payload the raw payload, may be {@code null}
     * @param maxBytes how many payload bytes to keep, at least 0
     * @return the excerpt, {@code null} when the payload is {@code null}
     */
    public static String excerpt(byte[] payload, int maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must not be negative: " + maxBytes);
        }
        if (payload == null) {
            return null;
        }
        if (payload.length <= maxBytes) {
            return new String(payload, StandardCharsets.UTF_8);
        }
        int cut = maxBytes;
        // payload[cut] is the first byte left out; if it continues a character (10xxxxxx), that character started
        // before the cut: leave it out entirely (a UTF-8 character has at most 3 continuation bytes)
        for (int i = 0; i < 3 && cut > 0 && isContinuation(payload[cut]); i++) {
            cut--;
        }
        return new String(payload, 0, cut, StandardCharsets.UTF_8) + TRUNCATION_MARK;
    }

    /**
     * {@link #excerpt(byte[], int)} of the text's UTF-8 encoding.
     *
     * @param payload the payload as text, may be {@code null}
     * @param maxBytes how many UTF-8 bytes of it to keep, at least 0
     * @return the excerpt, {@code null} when the payload is {@code null}
     */
    public static String excerpt(String payload, int maxBytes) {
        return excerpt(payload == null ? null : payload.getBytes(StandardCharsets.UTF_8), maxBytes);
    }

    private static boolean isContinuation(byte b) {
        return (b & 0xC0) == 0x80;
    }
}
