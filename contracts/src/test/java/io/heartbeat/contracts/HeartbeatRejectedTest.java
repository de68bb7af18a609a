package io.heartbeat.contracts;

import static io.heartbeat.contracts.HeartbeatRejected.TRUNCATION_MARK;
import static io.heartbeat.contracts.HeartbeatRejected.excerpt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class HeartbeatRejectedTest {

    @Test
    void shortPayloadIsKeptWhole() {
        assertThat(excerpt("{\"status\":\"alive\"}", 512)).isEqualTo("{\"status\":\"alive\"}");
        assertThat(excerpt("", 0)).isEmpty();
        assertThat(excerpt((String) null, 10)).isNull();
        assertThat(excerpt((byte[]) null, 10)).isNull();
    }

    @Test
    void payloadOfExactlyTheLimitIsKeptWhole() {
        assertThat(excerpt("0123456789", 10)).isEqualTo("0123456789");
    }

    @Test
    void longPayloadIsCutAndMarked() {
        assertThat(excerpt("0123456789A", 10)).isEqualTo("0123456789" + TRUNCATION_MARK);
        assertThat(excerpt("x".repeat(10_000), HeartbeatRejected.DEFAULT_EXCERPT_BYTES))
                .hasSize(HeartbeatRejected.DEFAULT_EXCERPT_BYTES + TRUNCATION_MARK.length());
        assertThat(excerpt("abc", 0)).isEqualTo(TRUNCATION_MARK);
    }

    @Test
    void multiByteCharactersAreNeverSplit() {
        // "é" is 2 bytes, "€" 3 bytes, "💓" 4 bytes (a surrogate pair in Java)
        String payload = "ab" + "é" + "€" + "💓" + "z";

        assertThat(excerpt(payload, 2)).isEqualTo("ab" + TRUNCATION_MARK);
        assertThat(excerpt(payload, 3)).isEqualTo("ab" + TRUNCATION_MARK);
        assertThat(excerpt(payload, 4)).isEqualTo("abé" + TRUNCATION_MARK);
        assertThat(excerpt(payload, 5)).isEqualTo("abé" + TRUNCATION_MARK);
        assertThat(excerpt(payload, 6)).isEqualTo("abé" + TRUNCATION_MARK);
        assertThat(excerpt(payload, 7)).isEqualTo("abé€" + TRUNCATION_MARK);
        for (int cut = 7; cut < 11; cut++) {
            assertThat(excerpt(payload, cut)).isEqualTo("abé€" + TRUNCATION_MARK);
        }
        assertThat(excerpt(payload, 11)).isEqualTo("abé€💓" + TRUNCATION_MARK);
        assertThat(excerpt(payload, 12)).isEqualTo(payload);
        for (int cut = 0; cut <= 12; cut++) {
            assertThat(excerpt(payload, cut)).doesNotContain("\uFFFD");
        }
    }

    @Test
    void binaryPayloadBecomesReplacementCharacters() {
        byte[] binary = { (byte) 0xFF, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 'a' };

        assertThat(excerpt(binary, 10)).isEqualTo("\uFFFD\uFFFD\uFFFD\uFFFD\uFFFDa");
        assertThat(excerpt(binary, 5)).endsWith(TRUNCATION_MARK);
        assertThat(excerpt("payload".getBytes(StandardCharsets.UTF_8), 3)).isEqualTo("pay" + TRUNCATION_MARK);
    }

    @Test
    void negativeLimitIsRejected() {
        assertThatThrownBy(() -> excerpt("abc", -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
