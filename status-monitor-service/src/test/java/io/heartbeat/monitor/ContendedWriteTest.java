package io.heartbeat.monitor;

import static io.heartbeat.monitor.MonitorTestSupport.as;
import static io.heartbeat.monitor.MonitorTestSupport.tokens;
import static io.heartbeat.monitor.MonitorTestSupport.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.heartbeat.contracts.Thresholds;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The engine's writes are guarded by the row's version; when another writer (a probe, a last will) got there first,
 * the engine reloads the row. What the engine meant to write must not be lost with it.
 */
@QuarkusTest
class ContendedWriteTest {

    /** interval 1 s, temporarily offline after 2 s, disconnected after 4 s. */
    static final Thresholds SHORT = new Thresholds(1, 2, 4, 0, 600);

    @Inject
    Pool pool;

    private static JsonPath status(String id) {
        return as(tokens().viewer("acme")).get("/api/v1/status/devices/" + id).then().extract().jsonPath();
    }

    @Test
    void aRegistryViewWhoseWriteLostToAnotherWriterIsAppliedAfterwards() throws Exception {
        String id = uniqueId("contended");
        try (MonitorTestSupport kafka = new MonitorTestSupport()) {
            // a heartbeat before the registry's view: tracked with the seeds' thresholds until the view arrives
            kafka.heartbeat(id, Instant.now());
            await().atMost(Duration.ofSeconds(15)).until(() -> "CONNECTED".equals(status(id).getString("state")));
            assertThat(status(id).getInt("connectedWithinSeconds")).isNotEqualTo(SHORT.connectedWithinSeconds());

            // another writer holds the row while the view arrives, then commits a new version first
            SqlConnection conn = pool.getConnectionAndAwait();
            try {
                Transaction tx = conn.beginAndAwait();
                conn.preparedQuery("SELECT version FROM device_status WHERE device_id = $1 FOR UPDATE")
                        .executeAndAwait(Tuple.of(id));
                kafka.view(id, SHORT, true, 1);
                Thread.sleep(3_000); // the engine reads the view and waits for the row
                conn.preparedQuery("UPDATE device_status SET version = version + 1 WHERE device_id = $1")
                        .executeAndAwait(Tuple.of(id));
                tx.commitAndAwait();
            } finally {
                conn.closeAndAwait();
            }
        }
        // the view's thresholds still take effect: no more heartbeats, so the device goes offline within seconds
        await().atMost(Duration.ofSeconds(10))
                .until(() -> status(id).getInt("connectedWithinSeconds") == SHORT.connectedWithinSeconds());
        await().atMost(Duration.ofSeconds(15)).until(() -> "DISCONNECTED".equals(status(id).getString("state")));
    }
}
