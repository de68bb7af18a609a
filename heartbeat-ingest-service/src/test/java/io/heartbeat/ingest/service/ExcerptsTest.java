package io.heartbeat.ingest.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class ExcerptsTest {

    private static String of(String payload) {
        return Excerpts.of(payload.getBytes(StandardCharsets.UTF_8), 512);
    }

    @Test
    void credentialFieldsAreRedacted() {
        String e = of("{\"device_id\":\"d\",\"jwt_token\":\"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJkIn0.c2ln\","
                + "\"api_token\":\"k3Jx9vQ2\",\"heart_rate\":12}");
        assertThat(e).doesNotContain("eyJ").doesNotContain("k3Jx9vQ2")
                .contains("\"jwt_token\":\"[redacted]\"").contains("\"api_token\":\"[redacted]\"")
                .contains("\"heart_rate\":12");
    }

    @Test
    void credentialsInBrokenJsonAreRedactedToo() {
        assertThat(of("{\"jwt_token\":\"abc.def.gh")).isEqualTo("{\"jwt_token\":\"[redacted]\"");
        assertThat(of("{\"api_token\": 12345, \"x\":1")).doesNotContain("12345");
        assertThat(of("garbage eyJabc.eyJdef.sig more")).isEqualTo("garbage [redacted] more");
    }

    @Test
    void excerptsAreBounded() {
        String e = Excerpts.of(("{\"x\":\"" + "a".repeat(2000) + "\"}").getBytes(StandardCharsets.UTF_8), 100);
        assertThat(e.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(100 + "…".getBytes(
                StandardCharsets.UTF_8).length);
        assertThat(e).endsWith("…");
        assertThat(Excerpts.of(null, 10)).isNull();
    }
}
