package io.heartbeat.common.batch;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import io.heartbeat.common.batch.SqlFaults.Fault;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;

/**
 * Writes a batch of rows so that one bad row cannot fail (or, retried forever, stall) the others. The batch goes in
 * one write; if that fails through the rows' fault ({@link SqlFaults#classify}: a data exception, a constraint
 * violation), it is split in halves and each half written on its own, down to the single rows at fault. Those are set
 * aside (handed to {@code setAside}, e.g. {@link RejectedRows#store} into a {@code rejected_row} table), counted in
 * {@code batch.rows.rejected{writer}} and logged at most once per {@link #LOG_EVERY_NANOS}; everything else is written.
 * A passing failure (Postgres down, a lost connection, a serialization failure) fails the whole write instead, so the
 * caller retries the batch as a whole and no row is set aside for a fault that is not its own.
 *
 * <p>
 * Every piece is its own write (its own transaction if the write function opens one); pieces are written one after
 * the other in the batch's order. A batch with k bad rows of n costs about 2·k·log2(n) extra writes, and a batch
 * without any costs nothing extra. The write function must not depend on rows outside the piece it is given.
 *
 * @param <T> a row
 * @param <R> what a write of some rows returns (one result per piece written, in order)
 */
public final class BisectingBatchWriter<T, R> {

    /** Rejected rows are logged at most this often per writer (the rest are only counted). */
    static final long LOG_EVERY_NANOS = 10_000_000_000L;

    /** A row set aside, with the error that refused it. */
    public record Rejected<T>(T row, Throwable error, String sqlState) {
    }

    /** What a batch write did: the results of the pieces written, and the rows set aside. */
    public record Outcome<T, R>(List<R> results, List<Rejected<T>> rejected) {
    }

    private final String name;
    private final Function<List<T>, Uni<R>> write;
    private final Function<List<Rejected<T>>, Uni<Void>> setAside;
    private final Function<Throwable, Fault> classifier;
    private final Counter rejectedRows;
    private final AtomicLong lastLog = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);
    private final AtomicLong unlogged = new AtomicLong();

    /**
     * @param name names the writer in the metric and the log (e.g. {@code ingest-telemetry})
     * @param write writes some rows, all or none (a failed write must have written nothing, or be idempotent)
     * @param setAside keeps rejected rows for inspection; a failure of it fails the whole write (retried)
     * @param metrics where {@code batch.rows.rejected{writer}} is counted
     */
    public BisectingBatchWriter(String name, Function<List<T>, Uni<R>> write,
            Function<List<Rejected<T>>, Uni<Void>> setAside, MeterRegistry metrics) {
        this(name, write, setAside, metrics, SqlFaults::classify);
    }

    public BisectingBatchWriter(String name, Function<List<T>, Uni<R>> write,
            Function<List<Rejected<T>>, Uni<Void>> setAside, MeterRegistry metrics,
            Function<Throwable, Fault> classifier) {
        this.name = name;
        this.write = write;
        this.setAside = setAside;
        this.classifier = classifier;
        this.rejectedRows = metrics.counter("batch.rows.rejected", "writer", name);
    }

    /**
     * Writes the rows; fails only on a passing failure (then retry them all), never because of one row's data.
     */
    public Uni<Outcome<T, R>> write(List<T> rows) {
        if (rows.isEmpty()) {
            return Uni.createFrom().item(new Outcome<>(List.of(), List.of()));
        }
        List<R> results = new ArrayList<>();
        List<Rejected<T>> rejected = new ArrayList<>();
        return piece(List.copyOf(rows), results, rejected)
                .flatMap(ignored -> rejected.isEmpty() ? Uni.createFrom().voidItem()
                        : Uni.createFrom().deferred(() -> setAside.apply(rejected)).invoke(() -> report(rejected)))
                .map(ignored -> new Outcome<>(results, rejected));
    }

    private Uni<Void> piece(List<T> rows, List<R> results, List<Rejected<T>> rejected) {
        return Uni.createFrom().deferred(() -> write.apply(rows))
                .invoke(results::add)
                .replaceWithVoid()
                .onFailure(e -> classifier.apply(e) == Fault.ROW).recoverWithUni(e -> {
                    if (rows.size() == 1) {
                        rejected.add(new Rejected<>(rows.get(0), e, SqlFaults.sqlState(e)));
                        return Uni.createFrom().voidItem();
                    }
                    int half = rows.size() / 2;
                    return piece(rows.subList(0, half), results, rejected)
                            .flatMap(ignored -> piece(rows.subList(half, rows.size()), results, rejected));
                });
    }

    private void report(List<Rejected<T>> rejected) {
        rejectedRows.increment(rejected.size());
        long now = System.nanoTime();
        long last = lastLog.get();
        if (now - last >= LOG_EVERY_NANOS && lastLog.compareAndSet(last, now)) {
            long before = unlogged.getAndSet(0);
            Rejected<T> first = rejected.get(0);
            Log.errorf("%s: %d row(s) set aside (kept for inspection, the others written), %d more since the last"
                    + " report; first: SQLSTATE %s: %s", name, rejected.size(), before, first.sqlState(),
                    RejectedRows.escape(String.valueOf(first.error().getMessage()), 500));
        } else {
            unlogged.addAndGet(rejected.size());
        }
    }
}
