package io.heartbeat.ingest.messaging;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.heartbeat.contracts.Channel;
import io.heartbeat.contracts.HeartbeatKind;
import io.heartbeat.ingest.config.MqttConfig;
import io.heartbeat.ingest.service.HeartbeatIntake;
import io.heartbeat.ingest.service.HeartbeatIntake.Submission;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import io.vertx.mqtt.messages.MqttPublishMessage;

/**
 * MQTT intake: {@code devices/+/heartbeat} and {@code devices/+/data}, QoS 1. Every message goes through the same
 * {@link HeartbeatIntake} as HTTP, with the device id from the topic and the credential from the body
 * ({@code jwt_token} or {@code api_token}), if any: without one, the topic's device is taken as the sender, since the
 * broker's extension authenticated the connection and lets a device publish only on its own topics
 * ({@code heartbeat.ingest.mqtt-topic-is-identity}).
 *
 * <p>
 * A message is acknowledged (PUBACK) only once Kafka has stored what became of it: the accepted heartbeat or the
 * rejected record. If Kafka has neither, the message stays unacknowledged and the broker delivers it again when the
 * session resumes. That is why this uses the Vert.x MQTT client with auto-ack off rather than the SmallRye MQTT
 * connector, which acknowledges on receipt. The session is persistent (clean session off, stable client id), and it
 * is resumed only once the device directory is read, so what the broker queued meanwhile is judged against every
 * device.
 *
 * <p>
 * HiveMQ CE sends a connection at most 50 unacknowledged QoS 1 messages and the next batch only once all of the last
 * are acknowledged, and each waits here for Kafka's acknowledgement, so one connection caps the rate at roughly
 * batch / Kafka round trip. {@code heartbeat.mqtt.connections}
 * opens several connections ({@code <client-id>-<n>}) in one shared-subscription group, and the broker spreads the
 * messages over them.
 */
@ApplicationScoped
public class MqttHeartbeatListener {

    /** The shared-subscription group used when several connections are configured and no group is named. */
    static final String DEFAULT_SHARED_GROUP = "heartbeat-ingest";

    private final Vertx vertx;
    private final MqttConfig config;
    private final HeartbeatIntake intake;
    private final LocalViews views;
    private final List<Connection> connections = new ArrayList<>();
    private volatile boolean stopping;

    public MqttHeartbeatListener(Vertx vertx, MqttConfig config, HeartbeatIntake intake, LocalViews views) {
        this.vertx = vertx;
        this.config = config;
        this.intake = intake;
        this.views = views;
    }

    void start(@Observes StartupEvent event) {
        if (!config.enabled()) {
            Log.info("MQTT intake is disabled (heartbeat.mqtt.enabled=false)");
            return;
        }
        int n = Math.max(1, config.connections());
        for (int i = 0; i < n; i++) {
            connections.add(new Connection(n == 1 ? config.clientId() : config.clientId() + "-" + i));
        }
        connectOnceTheViewsAreRead();
    }

    /**
     * Connects only once the device directory and signals are read: the sessions are persistent, so the broker holds
     * what devices sent while ingest was down and delivers it the moment a connection resumes; judged against a
     * directory still filling, that backlog would be refused as unknown devices and acknowledged, and lost. Until
     * then the broker keeps it (and the service is not ready).
     */
    private void connectOnceTheViewsAreRead() {
        if (stopping) {
            return;
        }
        if (!views.caughtUp()) {
            vertx.setTimer(100, id -> connectOnceTheViewsAreRead());
            return;
        }
        connections.forEach(Connection::connect);
    }

    void stop(@Observes ShutdownEvent event) {
        stopping = true;
        connections.forEach(Connection::disconnect);
    }

    /** Whether every intake connection is connected and subscribed to the device topics. */
    public boolean subscribed() {
        return !connections.isEmpty() && connections.stream().allMatch(c -> c.subscribed);
    }

    /** Whether MQTT intake is configured at all (else readiness does not wait for it). */
    public boolean enabled() {
        return config.enabled();
    }

    /**
     * Whether every connection has taken in what the broker held for it: after a (re)connect the broker first
     * delivers the session's backlog, whose heartbeats ingest has not received yet, so until a connection has had a
     * moment with nothing in flight (its backlog drained) it cannot vouch for the devices' silence, and no watermark
     * is written.
     */
    public boolean caughtUp() {
        return subscribed() && connections.stream().allMatch(Connection::drained);
    }

    /** How many of the configured connections are subscribed. */
    public long subscribedConnections() {
        return connections.stream().filter(c -> c.subscribed).count();
    }

    /** The configured connections. */
    public int configuredConnections() {
        return connections.size();
    }

    /**
     * The submission for a message on a subscribed topic: {@code devices/{id}/heartbeat} or {@code devices/{id}/data}.
     * Every message becomes one, also on a topic whose device level is empty ({@code devices//heartbeat}, which
     * {@code +} matches): that one names no device, and the intake refuses it with a record whose source is the topic.
     */
    static Submission submission(String topic, byte[] payload) {
        HeartbeatKind kind = topic.endsWith("/data") ? HeartbeatKind.DATA : HeartbeatKind.HEARTBEAT;
        String deviceId = "";
        String[] levels = topic.split("/", -1);
        if (levels.length == 3 && levels[0].equals("devices")
                && (levels[2].equals("heartbeat") || levels[2].equals("data"))) {
            deviceId = levels[1];
        }
        return new Submission(Channel.MQTT, kind, topic, null, null, deviceId, payload, true);
    }

    private String filter(String topic) {
        Optional<String> group = config.sharedGroup();
        if (group.isEmpty() && config.connections() > 1) {
            group = Optional.of(DEFAULT_SHARED_GROUP);
        }
        return group.map(g -> "$share/" + g + "/" + topic).orElse(topic);
    }

    /** One MQTT connection with its own persistent session, reconnecting by itself. */
    private final class Connection {
        private final String clientId;
        private volatile MqttClient client;
        private volatile boolean subscribed;
        /** Messages received and not yet acknowledged. */
        private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
        /** Whether the connection has had nothing in flight since it last subscribed (its backlog is taken in). */
        private volatile boolean drained;
        private volatile long subscribedAt;

        Connection(String clientId) {
            this.clientId = clientId;
        }

        void connect() {
            MqttClientOptions options = new MqttClientOptions()
                    .setClientId(clientId)
                    .setCleanSession(false)
                    .setAutoKeepAlive(true)
                    .setMaxMessageSize(256 * 1024);
            options.setAutoAck(false);
            config.username().ifPresent(options::setUsername);
            config.password().ifPresent(options::setPassword);
            MqttClient c = MqttClient.create(vertx, options);
            client = c;
            c.publishHandler(this::onMessage);
            c.closeHandler(ignored -> {
                subscribed = false;
                drained = false;
                inFlight.set(0);
                if (!stopping) {
                    Log.warnf("MQTT connection %s to %s:%d lost; reconnecting", clientId, config.host(), config.port());
                    reconnectLater();
                }
            });
            c.connect(config.port(), config.host()).onSuccess(ack -> {
                Map<String, Integer> topics = new LinkedHashMap<>();
                topics.put(filter("devices/+/heartbeat"), MqttQoS.AT_LEAST_ONCE.value());
                topics.put(filter("devices/+/data"), MqttQoS.AT_LEAST_ONCE.value());
                c.subscribe(topics).onSuccess(id -> {
                    drained = false;
                    subscribedAt = System.nanoTime();
                    subscribed = true;
                    Log.infof("MQTT intake %s subscribed to %s on %s:%d", clientId, topics.keySet(), config.host(),
                            config.port());
                }).onFailure(e -> {
                    Log.warnf("MQTT subscribe of %s failed: %s", clientId, e.getMessage());
                    c.disconnect();
                });
            }).onFailure(e -> {
                if (!stopping) {
                    Log.warnf("MQTT connection %s to %s:%d failed, retrying: %s", clientId, config.host(),
                            config.port(), e.getMessage());
                    reconnectLater();
                }
            });
        }

        void disconnect() {
            MqttClient c = client;
            if (c != null && c.isConnected()) {
                c.disconnect();
            }
        }

        /**
         * Drained once nothing has been in flight since the subscription: a decrement to zero, or no message at all
         * for a moment after subscribing (an empty backlog).
         */
        boolean drained() {
            if (!drained && inFlight.get() == 0 && System.nanoTime() - subscribedAt > 500_000_000L) {
                drained = true;
            }
            return drained;
        }

        private void settled() {
            if (inFlight.decrementAndGet() == 0) {
                drained = true;
            }
        }

        private void reconnectLater() {
            vertx.setTimer(Math.max(1, config.reconnectDelay().toMillis()), id -> connect());
        }

        private void onMessage(MqttPublishMessage message) {
            String topic = message.topicName();
            inFlight.incrementAndGet();
            try {
                intake.receive(submission(topic, message.payload().getBytes())).subscribe().with(outcome -> {
                    if (outcome.stored()) {
                        message.ack();
                        settled();
                    } else {
                        // unacknowledged messages would pile up in the broker's in-flight window: drop the
                        // connection, the resumed session redelivers them
                        Log.warnf("Kafka did not store the MQTT message on %s; reconnecting %s so the broker"
                                + " redelivers it", topic, clientId);
                        disconnect();
                    }
                }, e -> unhandled(message, e));
            } catch (RuntimeException | StackOverflowError e) {
                unhandled(message, e);
            }
        }

        /**
         * The intake never fails, so this is a bug; still, the message is acknowledged: redelivering it would fail
         * again, and an unacknowledged one holds a slot of the broker's in-flight window for good.
         */
        private void unhandled(MqttPublishMessage message, Throwable e) {
            Log.errorf(e, "MQTT message on %s could not be handled; acknowledged to keep intake moving",
                    message.topicName());
            message.ack();
            settled();
        }
    }
}
