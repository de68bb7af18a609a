package io.heartbeat.command.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.mqtt.MqttMessage;

/**
 * The outgoing MQTT channel {@code device-commands}: one message to the broker, completed when the MQTT client took
 * it, failed when it refused it (e.g. not connected, in-flight window full). {@link CommandPublisher} decides what a
 * failure means.
 */
@ApplicationScoped
public class DeviceCommandChannel {

    private final MutinyEmitter<byte[]> mqtt;

    public DeviceCommandChannel(
            @Channel("device-commands") @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 20_000) MutinyEmitter<byte[]> mqtt) {
        this.mqtt = mqtt;
    }

    public Uni<Void> send(MqttMessage<byte[]> message) {
        return mqtt.sendMessage(message);
    }
}
