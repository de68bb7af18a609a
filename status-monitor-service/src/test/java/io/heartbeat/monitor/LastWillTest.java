package io.heartbeat.monitor;

import static io.heartbeat.monitor.MonitorTestSupport.connectDevice;
import static io.heartbeat.monitor.MonitorTestSupport.events;
import static io.heartbeat.monitor.MonitorTestSupport.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.junit.jupiter.api.Test;

import io.heartbeat.contracts.DeviceStatusChanged;
import io.heartbeat.contracts.Thresholds;
import io.heartbeat.contracts.TransitionReason;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

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
        for (String id : new String[] { stale, fresh }) {
            // authenticated as the device; the broker accepts its will only on its own status topic, not retained
            MqttConnectOptions options = new MqttConnectOptions();
            options.setWill("devices/" + id + "/status", "{\"status\":\"offline\"}".getBytes(StandardCharsets.UTF_8),
                    1, false);
            MqttClient device = connectDevice(id, options);
            // an abrupt end of the connection (no DISCONNECT): the broker publishes the will
            device.disconnectForcibly(0, 0, false);
            device.close(true);
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> "TEMPORARILY_OFFLINE".equals(LivenessFlowTest.state(stale)));
        assertThat(events(stale, 3)).extracting(DeviceStatusChanged::reason).containsExactly(
                TransitionReason.DEVICE_REGISTERED, TransitionReason.HEARTBEAT_RECEIVED, TransitionReason.LAST_WILL);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
                .until(() -> "CONNECTED".equals(LivenessFlowTest.state(fresh)));
    }

    /**
     * Anything the broker lets through on a status topic (not JSON, not UTF-8, JSON that is not an object, 200 KiB) is
     * refused and counted; the last-will channel keeps running (readiness UP) and still takes a real last will.
     */
    @Test
    void anythingOnAStatusTopicIsRefusedAndTheChannelStillTakesALastWill() throws Exception {
        String hostile = uniqueId("will-hostile");
        String stale = uniqueId("will-after");
        try (MonitorTestSupport kafka = new MonitorTestSupport()) {
            kafka.view(hostile, new Thresholds(60, 90, 300, 0, 600), true, 1);
            kafka.view(stale, new Thresholds(5, 30, 60, 0, 600), true, 1);
            kafka.heartbeat(stale, Instant.now().minusSeconds(6)); // older than its 5 s interval, 24 s to its timeout
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> "CONNECTED".equals(LivenessFlowTest.state(stale)));
        MqttClient bad = connectDevice(hostile, new MqttConnectOptions());
        String topic = "devices/" + hostile + "/status";
        byte[] invalidUtf8 = { '{', '"', 's', '"', ':', '"', (byte) 0xC3, (byte) 0x28, (byte) 0xFF, '"', '}' };
        String huge = "{\"command_id\":\"c\",\"status\":\"ok\",\"result\":\"" + "x".repeat(200 * 1024) + "\"}";
        for (byte[] p : List.of(bytes("null"), bytes("[]"), bytes("\"x\""), invalidUtf8, bytes(huge), new byte[0],
                bytes("{\"status\":null}"))) {
            bad.publish(topic, p, 1, false);
        }
        assertThat(bad.isConnected()).as("the broker takes all of it").isTrue();
        bad.disconnect();
        bad.close();

        MqttConnectOptions options = new MqttConnectOptions();
        options.setWill("devices/" + stale + "/status", bytes("{\"status\":\"offline\"}"), 1, false);
        MqttClient device = connectDevice(stale, options);
        device.disconnectForcibly(0, 0, false);
        device.close(true);
        await().atMost(Duration.ofSeconds(15)).until(() -> "TEMPORARILY_OFFLINE".equals(LivenessFlowTest.state(stale)));
        // taken offline by the last will, not by its heartbeat timing out meanwhile
        assertThat(events(stale, 3)).extracting(DeviceStatusChanged::reason).containsExactly(
                TransitionReason.DEVICE_REGISTERED, TransitionReason.HEARTBEAT_RECEIVED, TransitionReason.LAST_WILL);

        RestAssured.given().get("/q/health/ready").then().statusCode(200);
        String metrics = RestAssured.given().get("/q/metrics").then().statusCode(200).extract().asString();
        for (String reason : List.of("not-an-object", "unreadable", "empty")) {
            assertThat(metrics).contains("monitor_last_wills_refused_total{reason=\"" + reason + "\"}");
        }
        assertThat(metrics).doesNotContain("monitor_last_wills_refused_total{reason=\"internal-error\"}");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
