package io.heartbeat.monitor;

import static io.heartbeat.monitor.MonitorTestSupport.as;
import static io.heartbeat.monitor.MonitorTestSupport.config;
import static io.heartbeat.monitor.MonitorTestSupport.deviceToken;
import static io.heartbeat.monitor.MonitorTestSupport.tokens;
import static io.heartbeat.monitor.MonitorTestSupport.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.heartbeat.contracts.DeviceState;
import io.heartbeat.contracts.DeviceStatusChanged;
import io.heartbeat.contracts.DeviceTokens;
import io.heartbeat.contracts.DeviceView;
import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.Protocol;
import io.heartbeat.contracts.Thresholds;
import io.heartbeat.contracts.Topics;
import io.heartbeat.contracts.TransitionReason;
import io.heartbeat.localstack.test.TopicReader;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * A device id deleted and registered again, here by another tenant, is another device: its status starts over, and
 * neither tenant sees the other's history.
 */
@QuarkusTest
class ReusedIdTest {

    private final MonitorTestSupport kafka = new MonitorTestSupport();

    @AfterEach
    void close() {
        kafka.close();
    }

    static DeviceView view(String id, String tenant, Instant createdAt, long revision) {
        return new DeviceView(DeviceView.SCHEMA_VERSION, id, tenant, "Device " + id, Protocol.HTTP, Map.of(),
                "test-profile", Thresholds.DEFAULTS, true, true, "1.0", Map.of(), DeviceTokens.hash(deviceToken(id)),
                createdAt, revision, createdAt, createdAt);
    }

    @Test
    void aNewRegistrationOfTheIdStartsOverAndSeesNothingOfTheEarlierDevice() {
        String id = uniqueId("reused");
        Instant first = Instant.now().minus(1, ChronoUnit.HOURS);
        kafka.rawView(id, EventJson.write(view(id, "acme", first, 7)));
        kafka.heartbeat(id, Instant.now());
        await().atMost(Duration.ofSeconds(15)).until(() -> "CONNECTED".equals(state(id, tokens().viewer("acme"))));

        // the tombstone between the two registrations was compacted away: only the new view arrives, revision 1
        Instant second = Instant.now();
        kafka.rawView(id, EventJson.write(view(id, "globex", second, 1)));

        await().atMost(Duration.ofSeconds(15)).until(() -> "UNKNOWN".equals(state(id, tokens().viewer("globex"))));
        as(tokens().viewer("acme")).get("/api/v1/status/devices/" + id).then().statusCode(404);
        as(tokens().viewer("acme")).get("/api/v1/status/devices/" + id + "/transitions").then().statusCode(404);
        JsonPath history = as(tokens().viewer("globex")).get("/api/v1/status/devices/" + id + "/transitions")
                .then().statusCode(200).extract().jsonPath();
        assertThat(history.getList("items.reason")).containsExactly("DEVICE_REGISTERED");

        // the compacted current state is the new device's, newer than anything of the earlier one
        List<DeviceStatusChanged> current = TopicReader.read(config("kafka.bootstrap.servers"),
                Topics.DEVICE_STATUS_CURRENT, r -> id.equals(r.key()) && r.value() != null, 3, Duration.ofSeconds(20))
                .stream().map(r -> EventJson.read(r.value(), DeviceStatusChanged.class)).toList();
        DeviceStatusChanged newest = current.get(current.size() - 1);
        assertThat(newest.tenantId()).isEqualTo("globex");
        assertThat(newest.to()).isEqualTo(DeviceState.UNKNOWN);
        assertThat(newest.reason()).isEqualTo(TransitionReason.DEVICE_REGISTERED);
        assertThat(newest.deviceCreatedAt()).isEqualTo(DeviceView.micros(second));
        assertThat(current).allMatch(e -> e == newest || newest.supersedes(e));
        assertThat(current.get(0).deviceCreatedAt()).isEqualTo(DeviceView.micros(first));
        assertThat(current).extracting(DeviceStatusChanged::version).isSorted().doesNotHaveDuplicates();

        // and the new device's heartbeats are its own
        kafka.heartbeat(id, Instant.now());
        await().atMost(Duration.ofSeconds(15)).until(() -> "CONNECTED".equals(state(id, tokens().viewer("globex"))));
    }

    static String state(String id, String token) {
        return as(token).get("/api/v1/status/devices/" + id).then().extract().path("state");
    }
}
