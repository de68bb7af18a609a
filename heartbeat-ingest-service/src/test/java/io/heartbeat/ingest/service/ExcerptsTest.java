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

    @Test
    void credentialFieldsAreRedactedAfterUnescapingTheirNames() {
        String e = of("{\"api\\u005ftoken\":\"k3Jx9vQ2secret\",\"j\\u0077t_token\":\"abc\",\"x\":1}");
        assertThat(e).doesNotContain("k3Jx9vQ2secret").doesNotContain("abc").contains("\"x\":1");
        // also in a body that is not well-formed
        assertThat(of("{\"api\\u005ftoken\":\"k3Jx9vQ2secret\",")).doesNotContain("k3Jx9vQ2secret");
    }

    @Test
    void credentialsAreRedactedAtAnyDepthAndJwtShapedStringsAnywhere() {
        String e = of("{\"outer\":{\"api_token\":{\"v\":\"s3cr3t\"}},\"note\":\"bearer eyJhbGc.eyJzdWI.c2ln\"}");
        assertThat(e).doesNotContain("s3cr3t").doesNotContain("eyJ").contains("\"outer\"");
        assertThat(of("{\"eyJhbGc.eyJzdWI.c2ln\":1}")).isEqualTo("{\"[redacted]\":1}");
    }

    @Test
    void aVeryLongCredentialIsRedactedInLinearTime() {
        // a backtracking regular expression overflowed the stack on this
        String longToken = "\\\"".repeat(20_000) + "x".repeat(50_000);
        for (String payload : new String[] { "{\"api_token\":\"" + longToken + "\"}",
                "{\"api_token\":\"" + longToken, "{\"jwt_token\":\"eyJ" + "a".repeat(100_000) + "." }) {
            String e = of(payload);
            assertThat(e).doesNotContain("xxxx").doesNotContain("aaaa");
            assertThat(e.length()).isLessThanOrEqualTo(520);
        }
    }
}
