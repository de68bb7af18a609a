package io.heartbeat.ingest.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.HeartbeatAccepted;
import io.heartbeat.contracts.HeartbeatRejected;
import io.heartbeat.contracts.SignalDelivered;
import io.heartbeat.contracts.Topics;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;

/**
 * Publishes accepted heartbeats, refusals and reconnect deliveries, keyed by device id. The returned {@link Uni} completes only
 * when Kafka
 * has acknowledged the record (acks=all, idempotent producer) and fails when it does not within the delivery timeout:
 * a heartbeat is never reported accepted before it is stored.
 */
@ApplicationScoped
public class HeartbeatPublisher {

    private final MutinyEmitter<Record<String, String>> accepted;
    private final MutinyEmitter<Record<String, String>> rejected;
    private final MutinyEmitter<Record<String, String>> delivered;

    public HeartbeatPublisher(@Channel(Topics.HEARTBEATS) MutinyEmitter<Record<String, String>> accepted,
            @Channel(Topics.HEARTBEATS_REJECTED) MutinyEmitter<Record<String, String>> rejected,
            @Channel(Topics.DEVICE_SIGNALS_DELIVERED) MutinyEmitter<Record<String, String>> delivered) {
        this.accepted = accepted;
        this.rejected = rejected;
        this.delivered = delivered;
    }

    private final InFlightReceipts inFlight = new InFlightReceipts();

    public Uni<Void> publish(HeartbeatAccepted heartbeat) {
        return Uni.createFrom().deferred(() -> {
            long key = inFlight.add(heartbeat.receivedAt());
            return send(accepted, heartbeat.deviceId(), EventJson.write(heartbeat))
                    .onTermination().invoke(() -> inFlight.release(key));
        });
    }

    /** The heartbeats handed to Kafka and not yet acknowledged, by receipt time (what bounds a watermark). */
    InFlightReceipts inFlight() {
        return inFlight;
    }

    public Uni<Void> publish(HeartbeatRejected rejection) {
        return send(rejected, rejection.deviceId(), EventJson.write(rejection));
    }

    /** Reports that a heartbeat answer told the device to reconnect (the command service completes the command). */
    public Uni<Void> publish(SignalDelivered delivery) {
        return send(delivered, delivery.deviceId(), EventJson.write(delivery));
    }

    private static Uni<Void> send(MutinyEmitter<Record<String, String>> emitter, String key, String value) {
        // Uni.createFrom().deferred: a full emitter buffer becomes a failed Uni (a 503), not a thrown exception
        return Uni.createFrom().deferred(() -> emitter.sendMessage(Message.of(Record.of(key, value))));
    }
}
