package io.heartbeat.monitor.messaging;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import com.fasterxml.jackson.core.type.TypeReference;

import io.heartbeat.contracts.EventJson;
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

    static final Pattern TOPIC = Pattern.compile("devices/([^/]+)/status");
    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {
    };

    private final ProbeEvidence evidence;
    private final MeterRegistry metrics;

    public LastWillListener(ProbeEvidence evidence, MeterRegistry metrics) {
        this.evidence = evidence;
        this.metrics = metrics;
    }

    @Incoming("device-last-wills")
    public Uni<Void> onStatus(Message<byte[]> message) {
        String topic = message.getMetadata(ReceivingMqttMessageMetadata.class).map(ReceivingMqttMessageMetadata::getTopic)
                .orElse("");
        Matcher m = TOPIC.matcher(topic);
        Map<String, Object> body;
        try {
            body = EventJson.mapper().readValue(message.getPayload(), OBJECT);
        } catch (java.io.IOException | RuntimeException e) {
            metrics.counter("monitor.mqtt.status.unreadable").increment();
            return Uni.createFrom().completionStage(message.ack());
        }
        if (!m.matches() || body.containsKey("command_id") || !"offline".equals(body.get("status"))) {
            return Uni.createFrom().completionStage(message.ack());
        }
        String deviceId = m.group(1);
        metrics.counter("monitor.mqtt.last.wills").increment();
        return evidence.record(null, new Evidence(deviceId, false, "mqtt-last-will", null, null, Map.of()),
                TransitionReason.LAST_WILL)
                .invoke(v -> Log.debugf("last will of %s: applied=%s (%s)", deviceId, v.applied(), v.reason()))
                .onFailure().invoke(e -> Log.debugf("last will of %s not applied: %s", deviceId, e.getMessage()))
                .onFailure().recoverWithNull()
                .flatMap(ignored -> Uni.createFrom().completionStage(message.ack()));
    }
}
