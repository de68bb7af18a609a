package io.heartbeat.monitor.messaging;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import com.fasterxml.jackson.databind.JsonNode;

import io.heartbeat.contracts.StatusMessage;
import io.heartbeat.contracts.TransitionReason;
import io.heartbeat.monitor.service.ProbeEvidence;
import io.heartbeat.monitor.service.ProbeEvidence.Evidence;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.mqtt.ReceivingMqttMessageMetadata;

/**
 * A device's MQTT last will ({@code {"status":"offline"}} on {@code devices/{id}/status}, published by the broker when
 * the device's connection drops) is evidence like a failed probe: applied only when the last heartbeat is older than
 * the interval. Command acknowledgements on the same topic (they carry {@code command_id}) belong to the command
 * service and are skipped here; unreadable messages are counted and skipped.
 */
@ApplicationScoped
public class LastWillListener {

    private final ProbeEvidence evidence;
    private final MeterRegistry metrics;

    public LastWillListener(ProbeEvidence evidence, MeterRegistry metrics) {
        this.evidence = evidence;
        this.metrics = metrics;
    }

    /**
     * Never fails the channel, whatever the broker lets through (up to its max-packet-size of anything): a message
     * that is not a JSON object (not UTF-8, {@code null}, {@code []}, {@code "x"}, empty) is refused and counted in
     * {@code monitor.last.wills.refused{reason}}; an unexpected error is logged, counted ({@code internal-error}) and
     * the message acknowledged.
     */
    @Incoming("device-last-wills")
    public Uni<Void> onStatus(Message<byte[]> message) {
        try {
            return Uni.createFrom().deferred(() -> status(message))
                    .onFailure().recoverWithUni(e -> unexpected(message, e));
        } catch (RuntimeException e) {
            return unexpected(message, e);
        }
    }

    private Uni<Void> status(Message<byte[]> message) {
        String topic = message.getMetadata(ReceivingMqttMessageMetadata.class).map(ReceivingMqttMessageMetadata::getTopic)
                .orElse("");
        StatusMessage.Reading reading = StatusMessage.read(topic, message.getPayload(), Integer.MAX_VALUE);
        if (reading.refused()) {
            if (reading.refusal().equals("unreadable")) {
                metrics.counter("monitor.mqtt.status.unreadable").increment();
            }
            return refuse(message, reading.refusal());
        }
        JsonNode body = reading.message().body();
        JsonNode status = body.get("status");
        if (reading.message().deviceId() == null || body.has("command_id") || status == null
                || !"offline".equals(status.textValue())) {
            return ack(message); // a command ack, or another status: not a last will
        }
        String deviceId = reading.message().deviceId();
        metrics.counter("monitor.mqtt.last.wills").increment();
        return evidence.record(null, new Evidence(deviceId, false, "mqtt-last-will", null, null, Map.of()),
                TransitionReason.LAST_WILL)
                .invoke(v -> Log.debugf("last will of %s: applied=%s (%s)", deviceId, v.applied(), v.reason()))
                .onFailure().invoke(e -> Log.debugf("last will of %s not applied: %s", deviceId, e.getMessage()))
                .onFailure().recoverWithNull()
                .flatMap(ignored -> ack(message));
    }

    private Uni<Void> refuse(Message<byte[]> message, String reason) {
        metrics.counter("monitor.last.wills.refused", "reason", reason).increment();
        return ack(message);
    }

    private Uni<Void> unexpected(Message<byte[]> message, Throwable e) {
        Log.errorf(e, "a message on a status topic could not be handled; skipped");
        metrics.counter("monitor.last.wills.refused", "reason", "internal-error").increment();
        return ack(message);
    }

    private static Uni<Void> ack(Message<byte[]> message) {
        return Uni.createFrom().completionStage(message.ack());
    }
}
