package io.heartbeat.monitor;

import static io.heartbeat.monitor.MonitorTestSupport.as;
import static io.heartbeat.monitor.MonitorTestSupport.events;
import static io.heartbeat.monitor.MonitorTestSupport.tokens;
import static io.heartbeat.monitor.MonitorTestSupport.uniqueId;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.heartbeat.contracts.DeviceState;
import io.heartbeat.contracts.DeviceStatusChanged;
import io.heartbeat.contracts.Thresholds;
import io.heartbeat.contracts.TransitionReason;
import io.heartbeat.localstack.test.TestWatermarks;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * An outage of the heartbeat pipeline (ingest, or Kafka between it and the monitor) is not the fleet going offline:
 * with neither heartbeats nor ingest's watermarks on the topic, nothing times out, and when the pipeline is back the
 * gap counts against nobody.
 */
@QuarkusTest
class PipelineOutageTest {

    /** interval 1 s, temporarily offline after 2 s, disconnected after 4 s. */
    static final Thresholds SHORT = new Thresholds(1, 2, 4, 0, 600);

    private final MonitorTestSupport kafka = new MonitorTestSupport();
    private final TestWatermarks ingest = MonitorTestSupport.watermarks();

    @AfterEach
    void close() {
        ingest.resume();
        kafka.close();
    }

    static String state(String id) {
        return as(tokens().viewer("acme")).get("/api/v1/status/devices/" + id).then().extract().path("state");
    }

    @Test
    void whileIngestIsSilentNoDeviceTimesOutAndAfterwardsTheGapCountsAgainstNobody() throws InterruptedException {
        String alive = uniqueId("outage-alive");
        String dead = uniqueId("outage-dead");
        kafka.view(alive, SHORT, true, 1);
        kafka.view(dead, SHORT, true, 1);
        // both heartbeat until both are seen connected
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            kafka.heartbeat(alive, Instant.now());
            kafka.heartbeat(dead, Instant.now());
            return "CONNECTED".equals(state(alive)) && "CONNECTED".equals(state(dead));
        });

        // both heard once more, then ingest goes down: no heartbeats, no watermarks, for longer than the disconnect
        // threshold
        kafka.heartbeat(alive, Instant.now());
        kafka.heartbeat(dead, Instant.now());
        ingest.pause();
        Instant outage = Instant.now();
        List<String> seen = new ArrayList<>();
        while (Duration.between(outage, Instant.now()).toMillis() < 6_000) {
            seen.add(state(alive));
            seen.add(state(dead));
            Thread.sleep(250);
        }
        assertThat(seen).containsOnly("CONNECTED");
        JsonPath health = given().get("/q/health/ready").then().extract().jsonPath();
        assertThat(health.getString("checks.find { it.name == 'heartbeat-pipeline' }.data.timeoutsPaused"))
                .isEqualTo("true");
        assertThat(health.getString("checks.find { it.name == 'heartbeat-pipeline' }.status")).isEqualTo("UP");

        // ingest is back: the live device's heartbeat arrives first; the dead one stays silent
        kafka.heartbeat(alive, Instant.now());
        ingest.resume();
        Instant back = Instant.now();
        // the silent device times out its full threshold (2 s) after the pipeline came back, not at once, and goes
        // TEMPORARILY_OFFLINE first as it would have without the gap; the live one stays connected
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            kafka.heartbeat(alive, Instant.now());
            return !"CONNECTED".equals(state(dead));
        });
        assertThat(state(alive)).isEqualTo("CONNECTED");
        DeviceStatusChanged timeout = await().atMost(Duration.ofSeconds(20)).until(
                () -> events(dead, 1).stream().filter(e -> e.at().isAfter(outage)).findFirst().orElse(null),
                e -> e != null);
        assertThat(timeout.reason()).isEqualTo(TransitionReason.HEARTBEAT_TIMEOUT);
        assertThat(timeout.to()).isEqualTo(DeviceState.TEMPORARILY_OFFLINE);
        assertThat(Duration.between(back, timeout.at()).toMillis()).as("a full threshold after the gap")
                .isBetween(1_500L, 4_000L);
        assertThat(timeout.heartbeatAgeMs()).as("its silence, gap included").isGreaterThan(6_000L);
        assertThat(events(alive, 1)).filteredOn(e -> e.at().isAfter(outage)).extracting(DeviceStatusChanged::reason)
                .doesNotContain(TransitionReason.HEARTBEAT_TIMEOUT);

        String metrics = given().get("/q/metrics").then().extract().asString();
        assertThat(metrics).contains("monitor_pipeline_gaps_total").contains("monitor_pipeline_deadlines_held_total");
    }
}
