package io.heartbeat.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Property-style checks of the parser-level rules: many random strings, every way of binding. */
class JsonLimitsTest {

    private static final ObjectMapper JSON = EventJson.mapper();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    record Named(String name, Map<String, Object> meta) {
    }

    /** {@code s} as a JSON string literal with every non-ASCII or control character escaped as {@code \\uXXXX}. */
    static String literal(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7e) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    /** A random string of ASCII, BMP letters and well-formed surrogate pairs (emoji): always acceptable. */
    static String clean(Random r, int maxLength) {
        StringBuilder sb = new StringBuilder();
        int n = r.nextInt(maxLength + 1);
        for (int i = 0; i < n; i++) {
            switch (r.nextInt(4)) {
                case 0 -> sb.append((char) (0x20 + r.nextInt(0x5f)));
                case 1 -> sb.append((char) (0x00e0 + r.nextInt(0x100)));
                case 2 -> sb.appendCodePoint(0x1F300 + r.nextInt(0x200));
                default -> sb.append((char) (0x01 + r.nextInt(0x1f)));
            }
        }
        return sb.toString();
    }

    /** {@code s} with {@code bad} put in at a random place. */
    static String spoiled(Random r, String s, String bad) {
        // never between the halves of a pair, which would make a different (lone) problem
        int at = r.nextInt(s.length() + 1);
        while (at > 0 && at < s.length() && Character.isLowSurrogate(s.charAt(at))) {
            at--;
        }
        return s.substring(0, at) + bad + s.substring(at);
    }

    static List<String> documents(String s) {
        return List.of(
                "{\"name\":" + literal(s) + ",\"meta\":{}}",
                "{\"name\":\"n\",\"meta\":{\"k\":" + literal(s) + "}}",
                "{\"name\":\"n\",\"meta\":{" + literal(s) + ":1}}",
                "{\"name\":\"n\",\"meta\":{\"list\":[1," + literal(s) + "]}}");
    }

    @Test
    void cleanStringsAreReadBackUnchangedEveryWay() throws Exception {
        Random r = new Random(11);
        for (int i = 0; i < 500; i++) {
            String s = clean(r, 40);
            String doc = "{\"name\":" + literal(s) + ",\"meta\":{" + literal(s + "k") + ":" + literal(s) + "}}";
            assertThat(JSON.readValue(doc, Named.class).name()).isEqualTo(s);
            assertThat(JSON.readValue(doc, MAP).get("name")).isEqualTo(s);
            assertThat(JSON.readTree(doc).get("meta").get(s + "k").asText()).isEqualTo(s);
            assertThat(JSON.readValue(doc.getBytes(StandardCharsets.UTF_8), Named.class).meta()).containsKey(s + "k");
        }
    }

    @Test
    void nulAnywhereIsRefusedEveryWay() {
        Random r = new Random(12);
        for (int i = 0; i < 300; i++) {
            String s = spoiled(r, clean(r, 30), "\u0000");
            for (String doc : documents(s)) {
                assertRefused(doc, "NUL");
            }
        }
    }

    @Test
    void loneSurrogatesAreRefusedButPairsAreNot() throws Exception {
        Random r = new Random(13);
        for (int i = 0; i < 300; i++) {
            String base = clean(r, 30);
            char high = (char) (0xD800 + r.nextInt(0x400));
            char low = (char) (0xDC00 + r.nextInt(0x400));
            String lone = r.nextBoolean() ? String.valueOf(high) : String.valueOf(low);
            // a lone half at the end, or followed by something that is not its other half
            String bad = r.nextBoolean() ? base + lone : spoiled(r, base, lone + "x");
            for (String doc : documents(bad)) {
                assertRefused(doc, "lone surrogate");
            }
            String pair = spoiled(r, base, "" + high + low);
            assertThat(JsonLimits.textProblem(pair)).isNull();
            assertThat(JSON.readValue(documents(pair).get(0), Named.class).name()).isEqualTo(pair);
            // a low half before a high half is two lone halves, not a pair
            assertThat(JsonLimits.textProblem("" + low + high)).contains("lone surrogate");
        }
    }

    @Test
    void depthUpToTheCapIsReadAndBeyondIsRefused() throws Exception {
        for (int depth = 1; depth <= JsonLimits.MAX_DEPTH + 3; depth++) {
            String arrays = "[".repeat(depth) + "]".repeat(depth);
            String objects = "{\"a\":".repeat(depth - 1) + "{}" + "}".repeat(depth - 1);
            int inner = Math.max(depth - 2, 0);
            String inMap = "{\"name\":\"n\",\"meta\":" + "{\"a\":".repeat(inner) + "{}" + "}".repeat(inner) + "}";
            if (depth <= JsonLimits.MAX_DEPTH) {
                JSON.readTree(arrays);
                JSON.readValue(objects, MAP);
                if (depth >= 2) {
                    JSON.readValue(inMap, Named.class);
                }
            } else {
                assertThatThrownBy(() -> JSON.readTree(arrays)).hasMessageContaining("deeper than 32");
                assertThatThrownBy(() -> JSON.readValue(arrays, Object.class)).hasMessageContaining("deeper than 32");
                assertRefused(objects, "deeper than 32");
                assertRefused(inMap, "deeper than 32");
            }
        }
    }

    @Test
    void duplicatedKeysAreRefusedAtTheirPath() {
        assertRefused("{\"name\":\"a\",\"name\":\"b\",\"meta\":{}}", "duplicated key");
        assertThatThrownBy(() -> JSON.readValue("{\"name\":\"a\",\"meta\":{\"k\":1,\"j\":2,\"k\":3}}", Named.class))
                .hasStackTraceContaining("'meta.k' is a duplicated key");
        // the same key in different objects is fine
        assertThat(JsonLimits.textProblem("k")).isNull();
    }

    @Test
    void theRefusalNamesThePath() {
        assertThatThrownBy(() -> JSON.readTree("{\"a\":{\"b\":[\"x\",\"y\\u0000\"]}}"))
                .isInstanceOf(JsonLimits.Violation.class)
                .satisfies(e -> assertThat(((JsonLimits.Violation) e).path()).isEqualTo("a.b[1]"));
        assertThatThrownBy(() -> JSON.readTree("{\"a\":{\"b\\u0000\":1}}"))
                .isInstanceOf(JsonLimits.Violation.class)
                .satisfies(e -> assertThat(((JsonLimits.Violation) e).path()).isEqualTo("a.b\\u0000"));
    }

    @Test
    void aCopyOfTheMapperKeepsTheRules() {
        ObjectMapper copy = JSON.copy();
        assertThatThrownBy(() -> copy.readTree("{\"a\":1,\"a\":2}")).isInstanceOf(JsonLimits.Violation.class);
        assertThatThrownBy(() -> copy.readTree("[\"\\u0000\"]")).isInstanceOf(JsonLimits.Violation.class);
    }

    @Test
    void overLongStringsAreRefusedWhileParsing() {
        String big = "x".repeat(JsonLimits.MAX_STRING_LENGTH + 1);
        assertRefused("{\"name\":\"" + big + "\",\"meta\":{}}", "longer than");
    }

    @Test
    void eventsWithBadTextAreUnreadableEvents() {
        assertThatThrownBy(() -> EventJson.read("{\"schemaVersion\":1,\"deviceId\":\"d\\u0000\"}",
                HeartbeatAccepted.class)).isInstanceOf(EventFormatException.class).hasMessageContaining("NUL");
    }

    private static void assertRefused(String doc, String reason) {
        for (ThrowingRead read : List.<ThrowingRead> of(
                () -> JSON.readValue(doc, Named.class),
                () -> JSON.readValue(doc, MAP),
                () -> JSON.readTree(doc),
                () -> JSON.readValue(doc.getBytes(StandardCharsets.UTF_8), Object.class))) {
            assertThatThrownBy(read::run).as(doc.length() > 200 ? doc.substring(0, 200) : doc)
                    .hasStackTraceContaining(reason);
        }
    }

    interface ThrowingRead {
        Object run() throws Exception;
    }
}
