package io.heartbeat.monitor;

import static io.heartbeat.monitor.MonitorTestSupport.config;
import static io.heartbeat.monitor.MonitorTestSupport.events;
import static io.heartbeat.monitor.MonitorTestSupport.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

import io.heartbeat.contracts.DeviceStatusChanged;
import io.heartbeat.contracts.Thresholds;
import io.heartbeat.contracts.TransitionReason;
import io.quarkus.test.junit.QuarkusTest;

/** A device's MQTT last will, delivered by the real broker when its connection drops, counts as a failed probe. */
@QuarkusTest
class LastWillTest {

    @Test
    void aLastWillTakesADeviceWithAnOldHeartbeatOfflineAndIsIgnoredForAFreshOne() throws Exception {
        String stale = uniqueId("will-stale");
        String fresh = uniqueId("will-fresh");
        try (MonitorTestSupport kafka = new MonitorTestSupport()) {
            // stale: its heartbeat (10 s old) is older than its 5 s interval; fresh: a 60 s interval
            kafka.view(stale, new Thresholds(5, 30, 60, 0, 600), true, 1);
            kafka.view(fresh, new Thresholds(60, 90, 300, 0, 600), true, 1);
            kafka.heartbeat(stale, Instant.now().minusSeconds(10));
            kafka.heartbeat(fresh, Instant.now());
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> "CONNECTED".equals(LivenessFlowTest.state(stale))
                && "CONNECTED".equals(LivenessFlowTest.state(fresh)));
        String broker = "tcp://" + config("heartbeat.mqtt.host") + ":" + config("heartbeat.mqtt.port");
        for (String id : new String[] { stale, fresh }) {
            MqttClient device = new MqttClient(broker, id, new MemoryPersistence());
            MqttConnectOptions options = new MqttConnectOptions();
            options.setWill("devices/" + id + "/status", "{\"status\":\"offline\"}".getBytes(StandardCharsets.UTF_8),
                    1, false);
            device.connect(options);
            // an abrupt end of the connection (no DISCONNECT): the broker publishes the will
            device.disconnectForcibly(0, 0, false);
            device.close(true);
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> "TEMPORARILY_OFFLINE".equals(LivenessFlowTest.state(stale)));
        assertThat(events(stale, 3)).extracting(DeviceStatusChanged::reason).containsExactly(
                TransitionReason.DEVICE_REGISTERED, TransitionReason.HEARTBEAT_RECEIVED, TransitionReason.LAST_WILL);
        Thread.sleep(1_000);
        assertThat(LivenessFlowTest.state(fresh)).isEqualTo("CONNECTED");
    }
}
