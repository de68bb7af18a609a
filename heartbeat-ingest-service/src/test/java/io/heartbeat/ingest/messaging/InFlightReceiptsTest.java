package io.heartbeat.ingest.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

class InFlightReceiptsTest {

    static final Instant T0 = Instant.parse("2026-12-03T11:35:48Z");

    @Test
    void aWatermarkStaysBeforeTheOldestHeartbeatKafkaHasNotAcknowledged() {
        InFlightReceipts receipts = new InFlightReceipts();
        Instant later = T0.plusSeconds(13);
        assertThat(receipts.bound(later)).as("nothing in flight: the clock").isEqualTo(later);

        // taken at T0 while Kafka restarts, still retried by the producer; newer ones come and go meanwhile
        long stuck = receipts.add(T0);
        long fresh = receipts.add(T0.plusSeconds(12));
        receipts.release(fresh);
        assertThat(receipts.oldest()).isEqualTo(T0);
        assertThat(receipts.bound(later)).isEqualTo(T0.minusMillis(1));

        // failed or stored at last: the watermark may move on
        receipts.release(stuck);
        assertThat(receipts.oldest()).isNull();
        assertThat(receipts.bound(later)).isEqualTo(later);
    }

    @Test
    void aReceiptAfterTheCandidateLeavesTheCandidate() {
        InFlightReceipts receipts = new InFlightReceipts();
        receipts.add(T0.plusSeconds(1));
        assertThat(receipts.bound(T0)).isEqualTo(T0);
    }
}
