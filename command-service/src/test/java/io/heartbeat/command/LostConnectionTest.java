package io.heartbeat.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;

import org.junit.jupiter.api.Test;

import io.heartbeat.common.batch.SqlFaults;
import io.heartbeat.common.rest.Problem;
import io.heartbeat.common.rest.ProblemMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * A database connection that Postgres ends while a request uses it (a restart, a failover, an operator's
 * {@code pg_terminate_backend}) is an outage the client may retry, answered 503 with Retry-After, not a bug (500):
 * whether the connection is cut while a statement runs (the client then reads a connection reset) or between two
 * statements of one transaction. Seen as a 500 on {@code POST /api/v1/commands} during the Postgres restart of the
 * end-to-end fault test.
 */
@QuarkusTest
class LostConnectionTest {

    @Inject
    Pool pool;

    @Test
    void aConnectionCutWhileAStatementRunsIsAnOutage() {
        Throwable failure = cut(true);

        assertOutage(failure);
    }

    @Test
    void aConnectionCutBetweenTwoStatementsOfATransactionIsAnOutage() {
        Throwable failure = cut(false);

        assertOutage(failure);
    }

    /**
     * Opens a transaction, has another connection terminate its backend (during a 3 s statement, or before the next
     * statement) and returns what the transaction failed with.
     */
    private Throwable cut(boolean duringStatement) {
        return pool.withTransaction(tx -> tx.query("SELECT pg_backend_pid()").execute()
                .map(rows -> rows.iterator().next().getInteger(0)).flatMap(pid -> {
                    Uni<?> kill = pool.preparedQuery("SELECT pg_terminate_backend($1)").execute(Tuple.of(pid));
                    if (duringStatement) {
                        return Uni.combine().all().unis(tx.query("SELECT pg_sleep(3)").execute(),
                                kill.onItem().delayIt().by(Duration.ofMillis(300))).asTuple();
                    }
                    return kill.onItem().delayIt().by(Duration.ofMillis(500)).flatMap(x -> tx.query("SELECT 1")
                            .execute());
                })).onItem().<Throwable> transform(x -> null).onFailure().recoverWithItem(e -> e)
                .await().atMost(Duration.ofSeconds(20));
    }

    private static void assertOutage(Throwable failure) {
        assertThat(failure).as("the transaction failed").isNotNull();
        assertThat(SqlFaults.unavailable(failure)).as("%s is an outage", failure).isTrue();
        Response r = new ProblemMapper().unexpected(failure, null);
        assertThat(r.getStatus()).isEqualTo(503);
        assertThat(((Problem) r.getEntity()).type()).isEqualTo("/problems/database-unavailable");
    }
}
