package io.heartbeat.cli.device;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

import com.hivemq.client.mqtt.MqttClientState;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedContext;
import com.hivemq.client.mqtt.lifecycle.MqttDisconnectSource;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.lifecycle.Mqtt5ClientDisconnectedContext;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5SimpleAuth;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;

/**
 * One device's MQTT 5 session, as seed 002 and docs/device-edge.md have it: client id and user name are the device
 * id, the password its API token or a device JWT (asked for again at every connect, so a renewed JWT is used), a last
 * will {@code {"status":"offline"}} on {@code devices/{id}/status}, and a subscription to {@code devices/{id}/commands}.
 * A lost or refused connection is retried after an exponential backoff with jitter; a stop can leave with the last
 * will published (MQTT 5's "disconnect with will message"), so the monitor hears the device go at once.
 */
public final class MqttDevice {

    /** What the device's owner hears about. */
    public interface Listener {
        void connected();

        /** @param retryIn the delay until the next attempt, or null when stopped */
        void disconnected(Throwable cause, Duration retryIn);

        void command(byte[] payload);
    }

    public static final byte[] LAST_WILL = "{\"status\":\"offline\"}".getBytes(StandardCharsets.UTF_8);

    private final String id;
    private final Supplier<String> password;
    private final Backoff backoff;
    private final Listener listener;
    private final Mqtt5AsyncClient client;
    private final String heartbeatTopic;
    private final String statusTopic;
    private volatile boolean stopping;
    private volatile boolean reconnectNow;

    public MqttDevice(String id, String host, int port, Supplier<String> password, Backoff backoff,
            Listener listener) {
        this.id = id;
        this.password = password;
        this.backoff = backoff;
        this.listener = listener;
        this.heartbeatTopic = "devices/" + id + "/heartbeat";
        this.statusTopic = "devices/" + id + "/status";
        this.client = Mqtt5Client.builder().identifier(id).serverHost(host).serverPort(port)
                .addConnectedListener(ctx -> {
                    backoff.reset();
                    subscribe();
                    listener.connected();
                })
                .addDisconnectedListener(this::onDisconnected)
                .buildAsync();
        client.publishes(MqttGlobalPublishFilter.SUBSCRIBED, p -> listener.command(p.getPayloadAsBytes()));
    }

    public String id() {
        return id;
    }

    public String heartbeatTopic() {
        return heartbeatTopic;
    }

    public boolean connected() {
        return client.getState() == MqttClientState.CONNECTED;
    }

    /** Starts connecting; failures are retried (the listener hears each), so the future may never complete. */
    public CompletableFuture<?> connect() {
        return client.connectWith().simpleAuth(auth())
                .willPublish().topic(statusTopic).qos(MqttQos.AT_LEAST_ONCE).payload(LAST_WILL).applyWillPublish()
                .send();
    }

    private Mqtt5SimpleAuth auth() {
        return Mqtt5SimpleAuth.builder().username(id).password(password.get().getBytes(StandardCharsets.UTF_8))
                .build();
    }

    private void subscribe() {
        client.subscribeWith().topicFilter("devices/" + id + "/commands").qos(MqttQos.AT_LEAST_ONCE).send();
    }

    private void onDisconnected(MqttClientDisconnectedContext ctx) {
        if (stopping) {
            listener.disconnected(ctx.getCause(), null);
            return;
        }
        Duration delay;
        if (reconnectNow && ctx.getSource() == MqttDisconnectSource.USER) {
            reconnectNow = false;
            delay = Duration.ZERO;
        } else {
            delay = backoff.next();
        }
        listener.disconnected(ctx.getCause(), delay);
        if (ctx instanceof Mqtt5ClientDisconnectedContext c5) {
            // a fresh password (a renewed JWT) for every attempt; the rest of the CONNECT, with its will, stays
            c5.getReconnector().reconnect(true).connectWith().simpleAuth(auth()).applyConnect()
                    .delay(delay.toMillis(), TimeUnit.MILLISECONDS);
        } else {
            ctx.getReconnector().reconnect(true).delay(delay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    public CompletableFuture<Mqtt5PublishResult> publish(String topic, byte[] payload, MqttQos qos) {
        return client.publishWith().topic(topic).qos(qos).payload(payload).send();
    }

    public CompletableFuture<Mqtt5PublishResult> publishStatus(byte[] payload) {
        return publish(statusTopic, payload, MqttQos.AT_LEAST_ONCE);
    }

    /** Seed 004's reconnect: a clean disconnect (no will: the device is not going away) and a connect at once. */
    public void reconnect() {
        reconnectNow = true;
        client.disconnect();
    }

    /**
     * Leaves; with {@code withWill} the broker publishes the last will as if the connection had been lost, so the
     * platform learns at once that the device went, instead of after its silence.
     */
    public CompletableFuture<Void> stop(boolean withWill) {
        stopping = true;
        if (!connected()) {
            return CompletableFuture.completedFuture(null);
        }
        return client.disconnectWith().reasonCode(withWill ? Mqtt5DisconnectReasonCode.DISCONNECT_WITH_WILL_MESSAGE
                : Mqtt5DisconnectReasonCode.NORMAL_DISCONNECTION).send();
    }

    /** Drops the connection without a DISCONNECT and gives up (the simulator's flapping devices, at the end). */
    public void abandon(Consumer<Throwable> onError) {
        stopping = true;
        client.disconnect().exceptionally(e -> {
            onError.accept(e);
            return null;
        });
    }
}
