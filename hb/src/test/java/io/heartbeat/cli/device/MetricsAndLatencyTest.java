package io.heartbeat.cli.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class MetricsAndLatencyTest {

    @Test
    void quantilesAreWithinTwoPercentOfTheTruth() {
        LatencyHistogram h = new LatencyHistogram();
        for (int i = 1; i <= 1000; i++) {
            h.record(i * 1_000_000L); // 1..1000 ms
        }
        long[] s = h.snapshot();
        assertThat(LatencyHistogram.quantile(s, null, 0.5)).isCloseTo(500, within(10.0));
        assertThat(LatencyHistogram.quantile(s, null, 0.99)).isCloseTo(990, within(20.0));
        assertThat(LatencyHistogram.quantile(s, s, 0.5)).isNaN();
    }

    @Test
    void ingestCountersAreSummedByReason() {
        String metrics = """
                # TYPE ingest_heartbeats_accepted_total counter
                ingest_heartbeats_accepted_total{channel="MQTT",kind="HEARTBEAT"} 120.0
                ingest_heartbeats_accepted_total{channel="HTTP",kind="HEARTBEAT"} 30.0
                ingest_heartbeats_rejected_total{channel="HTTP",reason="RATE_LIMITED"} 4.0
                ingest_heartbeats_rejected_total{channel="MQTT",reason="OUT_OF_RANGE"} 2.0
                ingest_heartbeats_rejected_total{channel="HTTP",reason="OUT_OF_RANGE"} 1.0
                """;
        IngestCounters c = IngestCounters.parse(metrics);
        assertThat(c.accepted()).isEqualTo(150.0);
        assertThat(c.rejectedByReason()).containsEntry("RATE_LIMITED", 4.0).containsEntry("OUT_OF_RANGE", 3.0);
        assertThat(c.refusedHeartbeats()).as("an out-of-range reading is not a refused heartbeat").isEqualTo(4.0);
        IngestCounters later = IngestCounters.parse(metrics.replace("120.0", "220.0"));
        assertThat(later.minus(c).accepted()).isEqualTo(100.0);
        assertThat(later.minus(c).rejectedByReason()).isEmpty();
    }

    @Test
    void theSimulatorsProfileLetsItsRateThrough() {
        var fast = SimulateCommand.profileThresholds(7.5);
        assertThat(fast.path("heartbeatIntervalSeconds").asInt()).isEqualTo(1);
        assertThat(fast.path("minHeartbeatSpacingSeconds").asInt()).isZero();
        assertThat(fast.path("maxHeartbeatsPerMinute").asInt()).isGreaterThanOrEqualTo(450).isLessThanOrEqualTo(600);
        var slow = SimulateCommand.profileThresholds(1 / 30.0);
        assertThat(slow.path("heartbeatIntervalSeconds").asInt()).isEqualTo(30);
        assertThat(slow.path("connectedWithinSeconds").asInt()).isGreaterThan(30)
                .isLessThan(slow.path("disconnectedAfterSeconds").asInt());
    }

    @Test
    void aHeartbeatBodyIsJsonWithSeed001sFields() throws Exception {
        var at = java.time.Instant.parse("2026-11-22T10:00:00Z");
        String fast = Heartbeats.fast("sim-00001", at.toString(), new SocketTelemetry(new java.util.SplittableRandom(1)),
                new HeartRateGenerator(new java.util.SplittableRandom(2)), at);
        var json = io.heartbeat.cli.http.Json.MAPPER.readTree(fast);
        assertThat(json.path("device_id").asText()).isEqualTo("sim-00001");
        assertThat(json.path("status").asText()).isEqualTo("alive");
        assertThat(json.path("timestamp").asText()).isEqualTo("2026-11-22T10:00:00Z");
        assertThat(json.path("voltage").asDouble()).isBetween(225.0, 235.0);
        assertThat(json.path("relay").asText()).isEqualTo("on");
        assertThat(json.path("heart_rate").asInt()).isBetween(25, 230);
        var tree = Heartbeats.tree("d", at, "secret.jwt", null, null);
        assertThat(tree.path("jwt_token").asText()).isEqualTo("secret.jwt");
        assertThat(Heartbeats.redacted(tree)).doesNotContain("secret.jwt").contains("[redacted]");
    }

    @Test
    void logValuesAreQuotedLikeLogrus() {
        assertThat(Log.quote("plain")).isEqualTo("plain");
        assertThat(Log.quote("two words")).isEqualTo("\"two words\"");
        assertThat(Log.quote("{\"a\":1}")).isEqualTo("\"{\\\"a\\\":1}\"");
    }
}
