package io.heartbeat.contracts;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The one JSON mapping of every event, used by producers and consumers alike (e.g. inside a Kafka
 * serializer/deserializer), so that all services write and read the same shape.
 *
 * <p>
 * The shape:
 * <ul>
 * <li>field names are the record component names (camelCase); keys inside free-form maps (telemetry, payloads) are
 * kept as sent;</li>
 * <li>{@code null} fields are written explicitly ({@code "detail": null}), never left out, so every event of a type
 * has the same set of fields;</li>
 * <li>{@link java.time.Instant}s are ISO-8601 strings ({@code "2025-03-14T09:26:53.589Z"}), {@link java.time.Duration}s
 * ISO-8601 strings ({@code "PT10S"}), never numbers; enums are their constant names.</li>
 * </ul>
 *
 * <p>
 * Evolution: unknown fields are ignored when reading, so a producer may add fields (within the same
 * {@code schemaVersion}) before its consumers know them. A missing object field reads as {@code null}, but a missing or
 * {@code null} primitive field ({@code int}, {@code long}, {@code boolean}) is rejected rather than silently read as 0
 * or {@code false}: a field added later within a {@code schemaVersion} must therefore have a nullable type, because old
 * records (e.g. on compacted topics) lack it. An unknown enum constant is rejected too, so adding one means upgrading
 * the consumers first. Changing or removing a field means a new {@code schemaVersion}.
 *
 * <p>
 * Reading follows {@link JsonLimits}: a string or key with NUL or a lone surrogate, a duplicated key, nesting deeper
 * than {@value JsonLimits#MAX_DEPTH} or an over-long string or document is unreadable.
 *
 * <p>
 * Anything that cannot be read throws an {@link EventFormatException} (an {@link IllegalArgumentException}) naming the
 * event type and the problem, never a raw Jackson exception.
 */
public final class EventJson {

    private static final JsonMapper MAPPER = JsonMapper.builder(JsonLimits.factory())
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.ALWAYS,
                    JsonInclude.Include.ALWAYS))
            .build();

    private EventJson() {
    }

    /**
     * The shared, configured mapper. It is thread-safe; do not reconfigure it (use {@code mapper().copy()} for a
     * variant).
     *
     * @return the mapper every event is written and read with
     */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /**
     * Writes an event as JSON.
     *
     * @param event the event, {@code null} for a tombstone
     * @return the JSON text, {@code null} when {@code event} is {@code null}
     * @throws EventFormatException if the event cannot be serialized
     */
    public static String write(Object event) {
        if (event == null) {
            return null;
        }
        try {
            return MAPPER.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new EventFormatException(event.getClass(),
                    "cannot write " + event.getClass().getSimpleName() + " as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Writes an event as UTF-8 JSON bytes (e.g. a Kafka record value).
     *
     * @param event the event, {@code null} for a tombstone
     * @return the JSON bytes, {@code null} when {@code event} is {@code null}
     * @throws EventFormatException if the event cannot be serialized
     */
    public static byte[] writeBytes(Object event) {
        String json = write(event);
        return json == null ? null : json.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Reads an event from JSON text.
     *
     * @param json the JSON text, {@code null} for a tombstone
     * @param type the event type
     * @return the event, {@code null} when {@code json} is {@code null} (a tombstone)
     * @throws EventFormatException if the text is not a valid {@code type}, the JSON literal {@code null} included
     */
    public static <T> T read(String json, Class<T> type) {
        if (json == null) {
            return null;
        }
        try {
            return notNull(MAPPER.readValue(json, type), type);
        } catch (IOException e) {
            throw unreadable(type, e);
        }
    }

    /**
     * Reads an event from UTF-8 JSON bytes (e.g. a Kafka record value).
     *
     * @param json the JSON bytes, {@code null} for a tombstone
     * @param type the event type
     * @return the event, {@code null} when {@code json} is {@code null} (a tombstone)
     * @throws EventFormatException if the bytes are not a valid {@code type}, the JSON literal {@code null} included
     */
    public static <T> T read(byte[] json, Class<T> type) {
        if (json == null) {
            return null;
        }
        try {
            return notNull(MAPPER.readValue(json, type), type);
        } catch (IOException e) {
            throw unreadable(type, e);
        }
    }

    /**
     * A record whose value is the JSON literal {@code null} is not a tombstone (a tombstone has no value at all):
     * taken for one, anyone who can write to a compacted topic could delete a device from every consumer's view.
     */
    private static <T> T notNull(T event, Class<T> type) {
        if (event == null) {
            throw new EventFormatException(type, "the JSON literal null is not a " + type.getSimpleName(), null);
        }
        return event;
    }

    private static EventFormatException unreadable(Class<?> type, IOException e) {
        StringBuilder message = new StringBuilder("cannot read ").append(type.getSimpleName()).append(" from JSON");
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            message.append(" at $");
            for (JsonMappingException.Reference reference : mapping.getPath()) {
                if (reference.getFieldName() != null) {
                    message.append('.').append(reference.getFieldName());
                } else if (reference.getIndex() >= 0) {
                    message.append('[').append(reference.getIndex()).append(']');
                }
            }
        }
        if (e instanceof JsonProcessingException processing) {
            JsonLocation location = processing.getLocation();
            if (location != null && location.getLineNr() > 0) {
                message.append(" (line ").append(location.getLineNr()).append(", column ")
                        .append(location.getColumnNr()).append(')');
            }
            message.append(": ").append(processing.getOriginalMessage());
        } else {
            message.append(": ").append(e.getMessage());
        }
        return new EventFormatException(type, message.toString(), e);
    }
}
