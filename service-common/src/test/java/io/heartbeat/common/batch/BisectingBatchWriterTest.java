package io.heartbeat.common.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import io.heartbeat.common.batch.BisectingBatchWriter.Rejected;
import io.heartbeat.common.batch.SqlFaults.Fault;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.pgclient.PgException;

/** The bisecting batch writer against a fake store that refuses some rows the way Postgres does. */
class BisectingBatchWriterTest {

    /** A store that takes a piece whole or not at all, refusing any piece holding a bad row. */
    private static class FakeStore {
        final Set<Integer> bad;
        final List<Integer> stored = new ArrayList<>();
        final List<List<Integer>> attempts = new ArrayList<>();
        RuntimeException down;

        FakeStore(Set<Integer> bad) {
            this.bad = bad;
        }

        Uni<Integer> write(List<Integer> rows) {
            attempts.add(List.copyOf(rows));
            if (down != null) {
                return Uni.createFrom().failure(down);
            }
            for (Integer r : rows) {
                if (bad.contains(r)) {
                    return Uni.createFrom().failure(pg("22021", "invalid byte sequence for encoding \"UTF8\": 0x00"));
                }
            }
            stored.addAll(rows);
            return Uni.createFrom().item(rows.size());
        }
    }

    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private final List<Rejected<Integer>> setAside = new ArrayList<>();

    private BisectingBatchWriter<Integer, Integer> writer(FakeStore store) {
        return new BisectingBatchWriter<>("test", store::write, rows -> {
            setAside.addAll(rows);
            return Uni.createFrom().voidItem();
        }, metrics);
    }

    private static PgException pg(String state, String message) {
        return new PgException(message, "ERROR", state, null);
    }

    private static List<Integer> rows(int n) {
        return IntStream.range(0, n).boxed().toList();
    }

    private double rejectedCount() {
        return metrics.counter("batch.rows.rejected", "writer", "test").count();
    }

    @Test
    void aGoodBatchIsOneWrite() {
        FakeStore store = new FakeStore(Set.of());
        var outcome = writer(store).write(rows(500)).await().indefinitely();
        assertThat(store.attempts).hasSize(1);
        assertThat(store.stored).hasSize(500);
        assertThat(outcome.results()).containsExactly(500);
        assertThat(outcome.rejected()).isEmpty();
        assertThat(setAside).isEmpty();
    }

    @Test
    void oneBadRowIsSetAsideAndEveryOtherRowIsWrittenInOrder() {
        FakeStore store = new FakeStore(Set.of(137));
        var outcome = writer(store).write(rows(500)).await().indefinitely();
        assertThat(store.stored).containsExactlyElementsOf(rows(500).stream().filter(r -> r != 137).toList());
        assertThat(outcome.rejected()).extracting(Rejected::row).containsExactly(137);
        assertThat(outcome.rejected().get(0).sqlState()).isEqualTo("22021");
        assertThat(setAside).extracting(Rejected::row).containsExactly(137);
        assertThat(rejectedCount()).isEqualTo(1);
        // bisection: about 2 * log2(500) writes, not one per row
        assertThat(store.attempts.size()).isLessThanOrEqualTo(2 * 9 + 1);
        assertThat(outcome.results().stream().mapToInt(Integer::intValue).sum()).isEqualTo(499);
    }

    @Test
    void manyBadRowsAreAllFoundAndOnlyThey() {
        Set<Integer> bad = Set.of(0, 1, 63, 64, 255, 499);
        FakeStore store = new FakeStore(bad);
        var outcome = writer(store).write(rows(500)).await().indefinitely();
        assertThat(outcome.rejected()).extracting(Rejected::row).containsExactly(0, 1, 63, 64, 255, 499);
        assertThat(store.stored).hasSize(494).doesNotContainAnyElementsOf(bad);
        assertThat(rejectedCount()).isEqualTo(6);
    }

    @Test
    void everyRowBadSetsAsideEveryRow() {
        FakeStore store = new FakeStore(Set.copyOf(rows(8)));
        var outcome = writer(store).write(rows(8)).await().indefinitely();
        assertThat(outcome.rejected()).hasSize(8);
        assertThat(store.stored).isEmpty();
    }

    @Test
    void aPassingFailureFailsTheWholeBatchAndSetsNothingAside() {
        for (RuntimeException down : List.of(pg("08006", "connection failure"), pg("40001", "could not serialize"),
                pg("40P01", "deadlock detected"), pg("53300", "too many connections"),
                pg("57P01", "terminating connection due to administrator command"),
                new IllegalStateException("Connection is closed"))) {
            FakeStore store = new FakeStore(Set.of(3));
            store.down = down;
            assertThatThrownBy(() -> writer(store).write(rows(10)).await().indefinitely()).isSameAs(down);
            assertThat(store.attempts).as(down.getMessage()).hasSize(1);
        }
        assertThat(setAside).isEmpty();
        assertThat(rejectedCount()).isZero();
    }

    @Test
    void aFailureWhileBisectingThatIsPassingFailsTheWholeBatchToo() {
        FakeStore store = new FakeStore(Set.of(7)) {
            @Override
            Uni<Integer> write(List<Integer> rows) {
                if (attempts.size() == 2) {
                    down = new RuntimeException(pg("08003", "connection does not exist"));
                }
                return super.write(rows);
            }
        };
        assertThatThrownBy(() -> writer(store).write(rows(10)).await().indefinitely())
                .rootCause().hasMessageContaining("connection does not exist");
        assertThat(setAside).isEmpty();
    }

    @Test
    void aFailureToKeepTheRejectedRowsFailsTheWholeBatch() {
        FakeStore store = new FakeStore(Set.of(2));
        var writer = new BisectingBatchWriter<Integer, Integer>("test", store::write,
                rows -> Uni.createFrom().failure(pg("08006", "connection failure")), metrics);
        assertThatThrownBy(() -> writer.write(rows(4)).await().indefinitely()).hasMessageContaining("connection failure");
        assertThat(rejectedCount()).isZero();
    }

    @Test
    void anExceptionThrownWhileBuildingTheStatementIsAFailureNotACrash() {
        var writer = new BisectingBatchWriter<Integer, Integer>("test", rows -> {
            throw new IllegalStateException("pool closed");
        }, rows -> Uni.createFrom().voidItem(), metrics);
        assertThatThrownBy(() -> writer.write(rows(2)).await().indefinitely()).hasMessage("pool closed");
    }

    @Test
    void anEmptyBatchWritesNothing() {
        FakeStore store = new FakeStore(Set.of());
        assertThat(writer(store).write(List.of()).await().indefinitely().results()).isEmpty();
        assertThat(store.attempts).isEmpty();
    }

    @Test
    void sqlStatesAreReadThroughTheCauseChain() {
        assertThat(SqlFaults.classify(new RuntimeException(pg("23505", "duplicate key")))).isEqualTo(Fault.ROW);
        assertThat(SqlFaults.classify(pg("22P05", "unsupported Unicode escape sequence"))).isEqualTo(Fault.ROW);
        assertThat(SqlFaults.classify(pg("23514", "no partition of relation found for row"))).isEqualTo(Fault.ROW);
        assertThat(SqlFaults.classify(pg("54000", "index row size exceeds maximum"))).isEqualTo(Fault.ROW);
        assertThat(SqlFaults.classify(new SQLException("x", "22001"))).isEqualTo(Fault.ROW);
        assertThat(SqlFaults.classify(pg("42P01", "relation does not exist"))).isEqualTo(Fault.TRANSIENT);
        assertThat(SqlFaults.classify(new RuntimeException("timeout"))).isEqualTo(Fault.TRANSIENT);
    }

    @Test
    void rejectedTextIsEscapedAndBounded() {
        assertThat(RejectedRows.escape("a\u0000b", 100)).isEqualTo("a\\u0000b");
        assertThat(RejectedRows.escape("x\ud800y\udc00", 100)).isEqualTo("x\\ud800y\\udc00");
        assertThat(RejectedRows.escape("ok \ud83d\ude00", 100)).isEqualTo("ok \ud83d\ude00");
        assertThat(RejectedRows.escape("{\"s\":\"\\u0000\"}", 100)).isEqualTo("{\"s\":\"\\u0000\"}");
        assertThat(RejectedRows.escape("abcdef", 3)).isEqualTo("abc…");
    }
}
