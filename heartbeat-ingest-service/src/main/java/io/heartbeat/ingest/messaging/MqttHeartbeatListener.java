package io.heartbeat.ingest.messaging;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
 * {@link HeartbeatIntake} as HTTP, with the credential from the body ({@code jwt_token} or {@code api_token}) and the
 * device id from the topic.
 *
 * <p>
 * A message is acknowledged (PUBACK) only once Kafka has stored what became of it: the accepted heartbeat or the
 * rejected record. If Kafka has neither, the message stays unacknowledged and the broker delivers it again when the
 * session resumes. That is why this uses the Vert.x MQTT client with auto-ack off rather than the SmallRye MQTT
 * connector, which acknowledges on receipt. The session is persistent (clean session off, stable client id).
 */
@ApplicationScoped
public class MqttHeartbeatListener {

    static final Pattern TOPIC = Pattern.compile("devices/([^/]+)/(heartbeat|data)");

    private final Vertx vertx;
    private final MqttConfig config;
    private final HeartbeatIntake intake;
    private volatile MqttClient client;
    private volatile boolean subscribed;
    private volatile boolean stopping;

    public MqttHeartbeatListener(Vertx vertx, MqttConfig config, HeartbeatIntake intake) {
        this.vertx = vertx;
        this.config = config;
        this.intake = intake;
    }

    void start(@Observes StartupEvent event) {
        if (config.enabled()) {
            connect();
        } else {
            Log.info("MQTT intake is disabled (heartbeat.mqtt.enabled=false)");
        }
    }

    void stop(@Observes ShutdownEvent event) {
        stopping = true;
        MqttClient c = client;
        if (c != null && c.isConnected()) {
            c.disconnect();
        }
    }

    /** Whether the intake is connected and subscribed to the device topics. */
    public boolean subscribed() {
        return subscribed;
    }

    private void connect() {
        MqttClientOptions options = new MqttClientOptions()
                .setClientId(config.clientId())
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
            if (!stopping) {
                Log.warnf("MQTT connection to %s:%d lost; reconnecting", config.host(), config.port());
                reconnectLater();
            }
        });
        c.connect(config.port(), config.host()).onSuccess(ack -> {
            Map<String, Integer> topics = new LinkedHashMap<>();
            topics.put(filter("devices/+/heartbeat"), MqttQoS.AT_LEAST_ONCE.value());
            topics.put(filter("devices/+/data"), MqttQoS.AT_LEAST_ONCE.value());
            c.subscribe(topics).onSuccess(id -> {
                subscribed = true;
                Log.infof("MQTT intake subscribed to %s on %s:%d", topics.keySet(), config.host(), config.port());
            }).onFailure(e -> {
                Log.warnf("MQTT subscribe failed: %s", e.getMessage());
                c.disconnect();
            });
        }).onFailure(e -> {
            if (!stopping) {
                Log.warnf("MQTT connection to %s:%d failed, retrying: %s", config.host(), config.port(),
                        e.getMessage());
                reconnectLater();
            }
        });
    }

    private void dropConnection() {
        MqttClient c = client;
        if (c != null && c.isConnected()) {
            c.disconnect();
        }
    }

    private void reconnectLater() {
        vertx.setTimer(Math.max(1, config.reconnectDelay().toMillis()), id -> connect());
    }

    private String filter(String topic) {
        return config.sharedGroup().map(g -> "$share/" + g + "/" + topic).orElse(topic);
    }

    private void onMessage(MqttPublishMessage message) {
        Matcher m = TOPIC.matcher(message.topicName());
        if (!m.matches()) {
            message.ack();
            return;
        }
        HeartbeatKind kind = m.group(2).equals("data") ? HeartbeatKind.DATA : HeartbeatKind.HEARTBEAT;
        Submission submission = new Submission(Channel.MQTT, kind, message.topicName(), null, m.group(1),
                message.payload().getBytes(), true);
        intake.receive(submission).subscribe().with(outcome -> {
            if (outcome.stored()) {
                message.ack();
            } else {
                // unacknowledged messages would pile up in the broker's in-flight window: drop the connection, the
                // resumed session redelivers them
                Log.warnf("Kafka did not store the MQTT message on %s; reconnecting so the broker redelivers it",
                        message.topicName());
                dropConnection();
            }
        }, e -> Log.errorf(e, "MQTT message on %s could not be handled", message.topicName()));
    }
}
