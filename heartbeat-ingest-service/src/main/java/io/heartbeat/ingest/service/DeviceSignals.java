package io.heartbeat.ingest.service;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.heartbeat.contracts.DeviceSignal;

/**
 * The in-memory copy of the compacted {@code device-signals} topic: per device, the command service's latest signal,
 * and which reconnect ingest has already handed to the device in a heartbeat answer.
 * <p>
 * A reconnect is answered ({@code should_reconnect: true}) until a response carrying it has been sent and its
 * {@code SignalDelivered} is stored in Kafka; after that it is not answered again, even before the command service has
 * published the signal that clears it. A newer reconnect (another command id) is answered again.
 */
@ApplicationScoped
public class DeviceSignals {

    private final Map<String, DeviceSignal> byDevice = new ConcurrentHashMap<>();
    private final Map<String, String> deliveredReconnect = new ConcurrentHashMap<>();

    /** Applies one record of device-signals; a signal not newer than the held one is ignored. */
    public void apply(String deviceId, DeviceSignal signal) {
        if (deviceId == null) {
            return;
        }
        if (signal == null) {
            byDevice.remove(deviceId);
            deliveredReconnect.remove(deviceId);
            return;
        }
        byDevice.merge(deviceId, signal, (held, next) -> next.revision() > held.revision() ? next : held);
        if (!byDevice.get(deviceId).shouldReconnect()) {
            deliveredReconnect.remove(deviceId);
        }
    }

    /** The reconnect the device should be told about in its next answer, if any. */
    public Optional<DeviceSignal> pendingReconnect(String deviceId) {
        DeviceSignal signal = byDevice.get(deviceId);
        if (signal == null || !signal.shouldReconnect()) {
            return Optional.empty();
        }
        String delivered = deliveredReconnect.get(deviceId);
        if (delivered != null && delivered.equals(String.valueOf(signal.reconnectCommandId()))) {
            return Optional.empty();
        }
        return Optional.of(signal);
    }

    /** Records that the reconnect of {@code signal} reached the device (its delivery event is stored). */
    public void delivered(DeviceSignal signal) {
        deliveredReconnect.put(signal.deviceId(), String.valueOf(signal.reconnectCommandId()));
    }

    public int size() {
        return byDevice.size();
    }
}
