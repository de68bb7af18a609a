package io.heartbeat.monitor;

import static io.heartbeat.monitor.MonitorTestSupport.as;
import static io.heartbeat.monitor.MonitorTestSupport.tokens;
import static io.heartbeat.monitor.MonitorTestSupport.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.heartbeat.contracts.Thresholds;
import io.heartbeat.monitor.engine.LivenessEngine;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** Interleaved heartbeats, probes and timeouts, and an engine restart under load, end in correct states. */
@QuarkusTest
class RaceAndRestartTest {

    static final Thresholds SHORT = new Thresholds(1, 2, 4, 0, 600);

    @Inject
    LivenessEngine engine;

    /** Sends a heartbeat for every device every {@code period} until stopped. */
    static final class Beats implements AutoCloseable {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        Beats(List<String> devices, Duration period) {
            thread = new Thread(() -> {
                try (MonitorTestSupport kafka = new MonitorTestSupport()) {
                    while (running.get()) {
                        for (String id : devices) {
                            kafka.heartbeat(id, Instant.now());
                        }
                        Thread.sleep(period.toMillis());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(10_000);
        }
    }

    private static List<String> devices(String prefix, int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(uniqueId(prefix + i));
        }
        return ids;
    }

    private static String state(String id) {
        return as(tokens().viewer("acme")).get("/api/v1/status/devices/" + id).then().extract().path("state");
    }

    private static JsonPath transitions(String id) {
        return as(tokens().viewer("acme")).get("/api/v1/status/devices/" + id + "/transitions?size=500")
                .then().statusCode(200).extract().jsonPath();
    }

    /** Every device is in {@code state}; if not, the failure names the others with their latest transitions. */
    private static void assertAllIn(List<String> ids, String state) {
        Map<String, Object> others = new java.util.TreeMap<>();
        for (String id : ids) {
            String actual = state(id);
            if (!state.equals(actual)) {
                JsonPath t = transitions(id);
                others.put(id, actual + " after " + t.getList("items").stream().limit(3).toList());
            }
        }
        assertThat(others).as("devices not %s", state).isEmpty();
    }

    /** Each transition starts where the previous one ended (newest first in the answer). */
    private static void assertChained(String id) {
        JsonPath t = transitions(id);
        List<String> from = t.getList("items.from");
        List<String> to = t.getList("items.to");
        for (int i = 0; i + 1 < from.size(); i++) {
            assertThat(from.get(i)).as("transition %d of %s", i, id).isEqualTo(to.get(i + 1));
        }
    }

    @Test
    void interleavedHeartbeatsProbesAndTimeoutsLeaveEveryDeviceInTheRightState() throws Exception {
        List<String> alive = devices("alive", 12);
        List<String> silent = devices("silent", 12);
        try (MonitorTestSupport kafka = new MonitorTestSupport()) {
            for (String id : alive) {
                kafka.view(id, SHORT, true, 1);
            }
            for (String id : silent) {
                kafka.view(id, SHORT, true, 1);
                kafka.heartbeat(id, Instant.now());
            }
        }
        List<String> all = new ArrayList<>(alive);
        all.addAll(silent);
        String operator = tokens().operator("acme");
        Random random = new Random(42);
        try (Beats beats = new Beats(alive, Duration.ofMillis(250))) {
            long end = System.currentTimeMillis() + 6_000;
            while (System.currentTimeMillis() < end) {
                String id = all.get(random.nextInt(all.size()));
                as(operator).contentType("application/json")
                        .body(Map.of("deviceId", id, "success", random.nextInt(4) == 0, "source", "race"))
                        .post("/api/v1/probes/results");
            }
            // the heartbeat is the authority: every device still heartbeating is connected
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertAllIn(alive, "CONNECTED"));
            // the silent ones (whatever probes said) end disconnected once the last evidence is older than 4 s
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertAllIn(silent, "DISCONNECTED"));
            for (String id : alive) {
                assertThat(transitions(id).getList("items.reason", String.class))
                        .as("%s heartbeats every 250 ms", id)
                        .doesNotContain("HEARTBEAT_TIMEOUT", "PROBE_FAILED");
            }
        }
        for (String id : all) {
            assertChained(id);
        }
    }

    @Test
    void aRestartWhileHeartbeatsKeepFlowingMarksNoDeviceOffline() throws Exception {
        List<String> ids = devices("restart", 10);
        try (MonitorTestSupport kafka = new MonitorTestSupport()) {
            for (String id : ids) {
                kafka.view(id, SHORT, true, 1);
            }
        }
        try (Beats beats = new Beats(ids, Duration.ofMillis(300))) {
            await().atMost(Duration.ofSeconds(15)).until(() -> ids.stream().allMatch(id -> "CONNECTED".equals(state(id))));
            Instant rebuiltBefore = engine.lastRebuild();
            engine.halt();
            // longer than connected-within (2 s): the stored deadlines pass while the engine is away
            Thread.sleep(3_000);
            engine.resume();
            await().atMost(Duration.ofSeconds(30)).until(() -> engine.lastRebuild() != null
                    && !engine.lastRebuild().equals(rebuiltBefore) && engine.caughtUp());
            Thread.sleep(2_000);
            for (String id : ids) {
                assertThat(state(id)).isEqualTo("CONNECTED");
                assertThat(transitions(id).getList("items.reason", String.class)).as(id)
                        .containsExactly("HEARTBEAT_RECEIVED", "DEVICE_REGISTERED");
            }
        }
    }
}
