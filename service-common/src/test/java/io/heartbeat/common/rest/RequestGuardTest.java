package io.heartbeat.common.rest;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.junit.jupiter.api.Test;

class RequestGuardTest {

    @Test
    void wellFormedUrisPassWhateverTheyEncode() {
        Random r = new Random(5);
        for (int i = 0; i < 500; i++) {
            StringBuilder s = new StringBuilder();
            for (int n = r.nextInt(20); n > 0; n--) {
                s.appendCodePoint(r.nextBoolean() ? 0x21 + r.nextInt(0x5e) : 0x1F300 + r.nextInt(0x100));
            }
            String enc = URLEncoder.encode(s.toString(), StandardCharsets.UTF_8);
            assertThat(RequestGuard.problem("/api/v1/devices/" + enc + "?q=" + enc + "&size=5")).as(s.toString()).isNull();
            assertThat(RequestGuard.decode(enc, true)).isEqualTo(s.toString());
        }
    }

    @Test
    void nulBadEscapesAndNonUtf8AreNamed() {
        assertThat(RequestGuard.problem("/api/v1/devices/a%00")).isEqualTo("The path contains a NUL character (\\u0000)");
        assertThat(RequestGuard.problem("/d?q=%00")).isEqualTo("The query parameter 'q' contains a NUL character (\\u0000)");
        assertThat(RequestGuard.problem("/d?q=%zz")).startsWith("The query parameter 'q' has a malformed % escape");
        assertThat(RequestGuard.problem("/d/%4")).startsWith("The path has a malformed % escape");
        assertThat(RequestGuard.problem("/d?%00=1")).startsWith("A query parameter's name contains a NUL");
        // an encoded lone surrogate (CESU-8) and a stray continuation byte are not UTF-8
        assertThat(RequestGuard.problem("/d?q=%ED%A0%80")).isEqualTo("The query parameter 'q' is not UTF-8 once %-decoded");
        assertThat(RequestGuard.problem("/d/%80")).isEqualTo("The path is not UTF-8 once %-decoded");
        assertThat(RequestGuard.problem("/d?a&b=&=c")).isNull();
    }
}
