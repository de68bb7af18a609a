package io.heartbeat.monitor;

import static io.heartbeat.monitor.MonitorTestSupport.uniqueId;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.heartbeat.contracts.Thresholds;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * A heartbeat whose status row Postgres refuses (a NUL in the device id of a forged record on the heartbeats topic)
 * is set aside; the engine goes on with every other device instead of replaying the same tick forever.
 */
@QuarkusTest
class RejectedStatusTest {

    @Inject
    Pool pool;

    @Test
    void aStatusRowPostgresRefusesIsSetAsideAndTheEngineGoesOn() {
        String good = uniqueId("reject-good");
        String marker = uniqueId("reject-bad");
        try (MonitorTestSupport kafka = new MonitorTestSupport()) {
            kafka.view(good, new Thresholds(60, 90, 300, 0, 600), true, 1);
            // EventJson refuses NUL on reading, so the row fault here is one EventJson lets through: an id too long
            // for the primary key's btree (SQLSTATE 54000), as a forged record on heartbeats could carry
            // (random, so Postgres cannot compress the index entry below its limit)
            kafka.heartbeat(marker + "-xxx" + randomText(3_200), Instant.now());
            kafka.heartbeat(good, Instant.now());
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> "CONNECTED".equals(LivenessFlowTest.state(good)));
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> pool
                .preparedQuery("SELECT count(*) FROM rejected_row WHERE writer = 'monitor-status' AND payload LIKE $1")
                .execute(Tuple.of("%" + marker + "-xxx%")).await().atMost(Duration.ofSeconds(5)).iterator().next()
                .getLong(0) == 1);
    }

    static String randomText(int length) {
        StringBuilder sb = new StringBuilder();
        while (sb.length() < length) {
            sb.append(io.heartbeat.contracts.DeviceTokens.generate());
        }
        return sb.substring(0, length);
    }

    /** A JSON null (not a tombstone) on registry.devices is skipped: views after it are still read. */
    @Test
    void aJsonNullDeviceViewIsSkippedAndLaterViewsAreRead() {
        String after = uniqueId("after-null-view");
        try (MonitorTestSupport kafka = new MonitorTestSupport()) {
            kafka.rawView(uniqueId("null-view"), "null");
            kafka.view(after, new Thresholds(60, 90, 300, 0, 600), true, 1);
            kafka.heartbeat(after, Instant.now());
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> "CONNECTED".equals(LivenessFlowTest.state(after)));
    }
}
