package io.heartbeat.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class StatusMessageTest {

    static StatusMessage.Reading read(String topic, String payload) {
        return StatusMessage.read(topic, payload.getBytes(StandardCharsets.UTF_8), 1024);
    }

    @Test
    void anAckOnADevicesStatusTopicIsReadWithItsDevice() {
        StatusMessage.Reading r = read("devices/socket-1/status", "{\"command_id\":\"x\",\"status\":\"ok\"}");
        assertThat(r.refused()).isFalse();
        assertThat(r.message().deviceId()).isEqualTo("socket-1");
        assertThat(r.message().body().get("status").textValue()).isEqualTo("ok");
    }

    @Test
    void whatIsNoJsonObjectIsRefusedWithItsReason() {
        assertThat(StatusMessage.read("devices/a/status", null, 1024).refusal()).isEqualTo("empty");
        assertThat(read("devices/a/status", "").refusal()).isEqualTo("empty");
        assertThat(read("devices/a/status", "{\"k\":\"" + "x".repeat(2000) + "\"}").refusal()).isEqualTo("too-large");
        for (String notAnObject : new String[] { "null", "[]", "\"x\"", "42" }) {
            assertThat(read("devices/a/status", notAnObject).refusal()).as(notAnObject).isEqualTo("not-an-object");
        }
        for (String unreadable : new String[] { "{", "{\"a\":1,\"a\":2}", "{\"a\":\"\\u0000\"}", "nul" }) {
            assertThat(read("devices/a/status", unreadable).refusal()).as(unreadable).isEqualTo("unreadable");
        }
        assertThat(StatusMessage.read("devices/a/status", new byte[] { '{', '"', (byte) 0xFF, '"', '}' }, 1024)
                .refusal()).isEqualTo("unreadable");
    }

    @Test
    void onlyDevicesSlashIdSlashStatusNamesADevice() {
        for (String topic : new String[] { "devices//status", "devices/status", "devices/a/b/status", "x/a/status",
                "devices/a/heartbeat", "", "devices/a/status/x" }) {
            assertThat(read(topic, "{}").message().deviceId()).as(topic).isNull();
        }
    }
}
