package io.heartbeat.ingest.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.heartbeat.contracts.Channel;
import io.heartbeat.contracts.HeartbeatKind;
import io.heartbeat.ingest.service.HeartbeatIntake.Submission;

/** Every message on a subscribed topic becomes a submission; one naming no device has an empty device id. */
class MqttTopicsTest {

    @Test
    void theTopicNamesTheDeviceAndTheKind() {
        Submission s = MqttHeartbeatListener.submission("devices/socket-1/data", new byte[0]);
        assertThat(s.channel()).isEqualTo(Channel.MQTT);
        assertThat(s.kind()).isEqualTo(HeartbeatKind.DATA);
        assertThat(s.pathDeviceId()).isEqualTo("socket-1");
        assertThat(s.source()).isEqualTo("devices/socket-1/data");
        assertThat(MqttHeartbeatListener.submission("devices/socket-1/heartbeat", new byte[0]).kind())
                .isEqualTo(HeartbeatKind.HEARTBEAT);
    }

    @Test
    void aTopicWithAnEmptyDeviceLevelIsStillASubmission() {
        Submission s = MqttHeartbeatListener.submission("devices//heartbeat", new byte[] { '{', '}' });
        assertThat(s.pathDeviceId()).isEmpty();
        assertThat(s.source()).isEqualTo("devices//heartbeat");
        assertThat(MqttHeartbeatListener.submission("devices/a/b/heartbeat", new byte[0]).pathDeviceId()).isEmpty();
    }
}
