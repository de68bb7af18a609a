package io.heartbeat.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.heartbeat.broker.BrokerSettings;
import io.heartbeat.broker.ServiceAccount;
import io.heartbeat.contracts.DeviceTokens;
import io.heartbeat.contracts.DeviceView;
import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.Protocol;
import io.heartbeat.contracts.Thresholds;
import io.heartbeat.contracts.Topics;
import io.heartbeat.localstack.test.TestDeviceJwts;
import io.heartbeat.localstack.test.TestDevices;
import io.heartbeat.localstack.test.TestRecords;

/**
 * The device edge as a device and an attacker meet it: the real embedded broker with the platform's extension,
 * following registry views that this test publishes to the real Kafka, and Paho MQTT 3.1.1 clients.
 */
class DeviceEdgeTest {

    static Path dir;
    static Infrastructure infra;
    static TestRecords records;

    @BeforeAll
    static void start() {
        dir = Dirs.temp("device-edge-test-");
        infra = Infrastructure.start(new Infrastructure.Settings(dir, 0, 0, 0, 0, 1, 0));
        records = new TestRecords(infra.kafka().bootstrapServers());
    }

    @AfterAll
    static void stop() {
        if (records != null) {
            records.close();
        }
        if (infra != null) {
            infra.close();
        }
        Dirs.deleteRecursively(dir);
    }

    @Test
    void anonymousWrongAndUnknownCredentialsAreRefused() throws Exception {
        String id = register("acme", true).deviceId();
        assertThat(connectCode(id, null, null)).isEqualTo(MqttException.REASON_CODE_FAILED_AUTHENTICATION);
        assertThat(connectCode(id, id, "not-the-token")).isEqualTo(MqttException.REASON_CODE_FAILED_AUTHENTICATION);
        String unknown = "unknown-" + UUID.randomUUID();
        assertThat(connectCode(unknown, unknown, token(unknown)))
                .isEqualTo(MqttException.REASON_CODE_FAILED_AUTHENTICATION);
        assertThat(connectCode(id, id, token(id))).isZero();
    }

    @Test
    void aDisabledDeviceIsNotAuthorizedAndADeletedOneIsUnknown() throws Exception {
        DeviceView disabled = register("acme", false);
        assertThat(connectCode(disabled.deviceId(), disabled.deviceId(), token(disabled.deviceId())))
                .isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED);
        DeviceView deleted = register("acme", true);
        delete(deleted.deviceId());
        await().atMost(Duration.ofSeconds(10)).until(() -> connectCode(deleted.deviceId(), deleted.deviceId(),
                token(deleted.deviceId())) == MqttException.REASON_CODE_FAILED_AUTHENTICATION);
    }

    @Test
    void clientIdsAreTheDevicesOwnAndServicePrefixesAreReserved() throws Exception {
        String id = register("acme", true).deviceId();
        assertThat(connectCode("someone-else", id, token(id))).isEqualTo(MqttException.REASON_CODE_INVALID_CLIENT_ID);
        assertThat(connectCode("heartbeat-ingest-0", id, token(id)))
                .isEqualTo(MqttException.REASON_CODE_INVALID_CLIENT_ID);
        String ingest = ServiceAccount.INGEST.username();
        assertThat(connectCode(ingest + "-x", ingest, "wrong"))
                .isEqualTo(MqttException.REASON_CODE_FAILED_AUTHENTICATION);
        assertThat(connectCode("not-ingest", ingest, infra.serviceAccounts().password(ServiceAccount.INGEST)))
                .isEqualTo(MqttException.REASON_CODE_INVALID_CLIENT_ID);
        assertThat(connectCode(ingest + "-x", ingest, infra.serviceAccounts().password(ServiceAccount.INGEST)))
                .isZero();
    }

    @Test
    void aLastWillMayOnlyGoToTheDevicesOwnStatusTopic() throws Exception {
        String id = register("acme", true).deviceId();
        MqttConnectOptions foreign = options(id, token(id));
        foreign.setWill("devices/someone-else/status", "{\"status\":\"offline\"}".getBytes(StandardCharsets.UTF_8), 1,
                false);
        assertThat(connectCode(id, foreign)).isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED);
        MqttConnectOptions retained = options(id, token(id));
        retained.setWill("devices/" + id + "/status", "{\"status\":\"offline\"}".getBytes(StandardCharsets.UTF_8), 1,
                true);
        assertThat(connectCode(id, retained)).isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED);
        MqttConnectOptions own = options(id, token(id));
        own.setWill("devices/" + id + "/status", "{\"status\":\"offline\"}".getBytes(StandardCharsets.UTF_8), 1, false);
        assertThat(connectCode(id, own)).isZero();
    }

    @Test
    void aDeviceSubscribesOnlyToItsOwnCommands() throws Exception {
        String id = register("acme", true).deviceId();
        MqttClient device = connect(id, token(id));
        try {
            for (String filter : List.of("devices/#", "devices/+/commands", "devices/other/commands", "#",
                    "$share/heartbeat-ingest/devices/+/heartbeat", "$share/x/devices/" + id + "/commands")) {
                assertThat(device.subscribeWithResponse(filter, 1).getGrantedQos()).as(filter).containsExactly(128);
            }
            assertThat(device.subscribeWithResponse("devices/" + id + "/commands", 1).getGrantedQos())
                    .containsExactly(1);
        } finally {
            close(device);
        }
    }

    @Test
    void aForgedAckOrHeartbeatFromAnotherDeviceNeverReachesTheServices() throws Exception {
        String victim = register("acme", true).deviceId();
        String attacker = register("globex", true).deviceId();
        BlockingQueue<String> statuses = new ArrayBlockingQueue<>(100);
        MqttClient commandService = service(ServiceAccount.COMMAND);
        MqttClient ingest = service(ServiceAccount.INGEST);
        MqttClient forger = connect(attacker, token(attacker));
        MqttClient device = connect(victim, token(victim));
        try {
            // Paho hands messages of a $share subscription to the client's callback, not to a per-filter listener
            commandService.setCallback(collect(statuses));
            ingest.setCallback(collect(statuses));
            assertThat(commandService.subscribeWithResponse("$share/heartbeat-command-service/devices/+/status", 1)
                    .getGrantedQos()).containsExactly(1);
            assertThat(ingest.subscribeWithResponse("$share/heartbeat-ingest/devices/+/heartbeat", 1).getGrantedQos())
                    .containsExactly(1);
            try {
                forger.publish("devices/" + victim + "/status",
                        "{\"command_id\":\"forged\",\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8), 1, false);
                forger.publish("devices/" + victim + "/heartbeat", "{\"status\":\"alive\"}".getBytes(), 1, false);
            } catch (MqttException e) {
                // HiveMQ closes an MQTT 3.1.1 connection that publishes where it may not
            }
            device.publish("devices/" + victim + "/status",
                    "{\"command_id\":\"real\",\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8), 1, false);
            assertThat(statuses.poll(10, TimeUnit.SECONDS))
                    .isEqualTo("devices/" + victim + "/status {\"command_id\":\"real\",\"status\":\"ok\"}");
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(statuses::isEmpty);
            assertThat(forger.isConnected()).isFalse();
        } finally {
            close(forger);
            close(device);
            close(commandService);
            close(ingest);
        }
    }

    @Test
    void onlyTheCommandServicePublishesCommandsAndNoOneRetains() throws Exception {
        String id = register("acme", true).deviceId();
        String other = register("acme", true).deviceId();
        BlockingQueue<String> commands = new ArrayBlockingQueue<>(10);
        MqttClient device = connect(id, token(id));
        MqttClient intruder = connect(other, token(other));
        MqttClient commandService = service(ServiceAccount.COMMAND);
        try {
            device.subscribe("devices/" + id + "/commands", 1,
                    (t, m) -> commands.add(new String(m.getPayload(), StandardCharsets.UTF_8)));
            try {
                intruder.publish("devices/" + id + "/commands", "{\"name\":\"forged\"}".getBytes(), 1, false);
            } catch (MqttException e) {
                // closed by the broker
            }
            MqttClient retainer = connect(other, token(other));
            try {
                retainer.publish("devices/" + other + "/heartbeat", "{\"status\":\"alive\"}".getBytes(), 1, true);
            } catch (MqttException e) {
                // closed by the broker
            }
            assertThat(retainer.isConnected()).as("a retained publish costs the connection").isFalse();
            close(retainer);
            // and nothing was retained: a new (not shared) subscriber to that topic gets no message
            BlockingQueue<String> retained = new ArrayBlockingQueue<>(10);
            MqttClient late = service(ServiceAccount.INGEST);
            late.setCallback(collect(retained));
            late.subscribe("devices/" + other + "/heartbeat", 1);
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(retained::isEmpty);
            close(late);
            commandService.publish("devices/" + id + "/commands", "{\"name\":\"ping\"}".getBytes(), 1, false);
            assertThat(commands.poll(10, TimeUnit.SECONDS)).isEqualTo("{\"name\":\"ping\"}");
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(commands::isEmpty);
        } finally {
            close(device);
            close(intruder);
            close(commandService);
        }
    }

    @Test
    void rotationDisableAndDeleteCutALiveSession() throws Exception {
        DeviceView rotated = register("acme", true);
        DeviceView disabled = register("acme", true);
        DeviceView deleted = register("acme", true);
        Map<String, CountDownLatch> lost = Map.of(rotated.deviceId(), new CountDownLatch(1), disabled.deviceId(),
                new CountDownLatch(1), deleted.deviceId(), new CountDownLatch(1));
        List<MqttClient> clients = List.of(connect(rotated.deviceId(), token(rotated.deviceId())),
                connect(disabled.deviceId(), token(disabled.deviceId())),
                connect(deleted.deviceId(), token(deleted.deviceId())));
        for (MqttClient c : clients) {
            c.setCallback(onConnectionLost(lost.get(c.getClientId())));
        }
        String newToken = DeviceTokens.generate();
        publish(view(rotated.deviceId(), "acme", newToken, true, 2, Instant.now()));
        publish(view(disabled.deviceId(), "acme", token(disabled.deviceId()), false, 2,
                disabled.credentialsSince()));
        delete(deleted.deviceId());
        for (Map.Entry<String, CountDownLatch> e : lost.entrySet()) {
            assertThat(e.getValue().await(10, TimeUnit.SECONDS)).as("session of " + e.getKey() + " cut").isTrue();
        }
        assertThat(connectCode(rotated.deviceId(), rotated.deviceId(), token(rotated.deviceId())))
                .isEqualTo(MqttException.REASON_CODE_FAILED_AUTHENTICATION);
        assertThat(connectCode(rotated.deviceId(), rotated.deviceId(), newToken)).isZero();
        clients.forEach(DeviceEdgeTest::close);
    }

    @Test
    void deviceJwtsAreTiedToTheDeviceInstanceAndItsCurrentCredential() throws Exception {
        DeviceView device = register("acme", true);
        String id = device.deviceId();
        Instant exp = Instant.now().plusSeconds(600);
        var key = infra.deviceKeys().loadPrivate();
        String current = TestDeviceJwts.sign(key, id, "acme", device.credentialsSince(), exp);
        assertThat(connectCode(id, id, current)).isZero();
        assertThat(connectCode(id, id, TestDeviceJwts.sign(key, id, "globex", device.credentialsSince(), exp)))
                .as("another tenant's claim").isEqualTo(MqttException.REASON_CODE_FAILED_AUTHENTICATION);
        assertThat(connectCode(id, id, TestDeviceJwts.sign(key, id, "acme", null, exp)))
                .as("no credentials_since").isEqualTo(MqttException.REASON_CODE_FAILED_AUTHENTICATION);
        assertThat(connectCode(id, id, TestDeviceJwts.sign(key, id, "acme", device.credentialsSince(),
                Instant.now().minusSeconds(120)))).as("expired").isEqualTo(MqttException.REASON_CODE_FAILED_AUTHENTICATION);
        assertThat(connectCode(id, id, TestDeviceJwts.sign(infra.userKeys().loadPrivate(), id, "acme",
                device.credentialsSince(), exp))).as("signed by another key")
                .isEqualTo(MqttException.REASON_CODE_FAILED_AUTHENTICATION);

        // rotation: the JWT issued under the old credential is refused, one issued under the new one is accepted
        Instant rotatedAt = device.credentialsSince().plusMillis(1);
        publish(view(id, "acme", token(id), true, 2, rotatedAt));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> connectCode(id, id, current) == MqttException.REASON_CODE_FAILED_AUTHENTICATION);
        assertThat(connectCode(id, id, TestDeviceJwts.sign(key, id, "acme", rotatedAt, exp))).isZero();

        // deleted, then registered again by another tenant: the first device's JWTs are not the new one's
        delete(id);
        Instant recreatedAt = Instant.now();
        publish(view(id, "globex", token(id), true, 3, recreatedAt));
        String oldInstance = TestDeviceJwts.sign(key, id, "acme", rotatedAt, exp);
        await().atMost(Duration.ofSeconds(10)).until(
                () -> connectCode(id, id, TestDeviceJwts.sign(key, id, "globex", recreatedAt, exp)) == 0);
        assertThat(connectCode(id, id, oldInstance)).isEqualTo(MqttException.REASON_CODE_FAILED_AUTHENTICATION);
    }

    @Test
    void theTlsListenerServesTheSameRules() throws Exception {
        String id = register("acme", true).deviceId();
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(DevTls.certificate(dir.resolve("keys")))) {
            trust.setCertificateEntry("mqtt", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        MqttConnectOptions options = options(id, token(id));
        options.setSocketFactory(tls.getSocketFactory());
        MqttClient device = new MqttClient(infra.mqtt().tlsUrl(), id, new MemoryPersistence());
        device.connect(options);
        assertThat(device.isConnected()).isTrue();
        close(device);
        MqttConnectOptions anonymous = new MqttConnectOptions();
        anonymous.setSocketFactory(tls.getSocketFactory());
        MqttClient stranger = new MqttClient(infra.mqtt().tlsUrl(), id, new MemoryPersistence());
        try {
            stranger.connect(anonymous);
            close(stranger);
            throw new AssertionError("an anonymous TLS client was accepted");
        } catch (MqttException e) {
            assertThat(e.getReasonCode()).isEqualTo(MqttException.REASON_CODE_FAILED_AUTHENTICATION);
        }
    }

    @Test
    void aStockBrokerLoadsTheExtensionFromItsPackagedFolder() throws Exception {
        // target/hivemq-extensions holds the unzipped distribution (mqtt-broker-extension's *-distribution.zip)
        Path packaged = Path.of("target", "hivemq-extensions", "heartbeat-broker-extension");
        assertThat(packaged.resolve("hivemq-extension.xml")).exists();
        Path brokerDir = dir.resolve("stock-broker");
        Path folder = brokerDir.resolve("extensions").resolve("heartbeat-broker-extension");
        Files.createDirectories(folder.resolve("conf"));
        try (var files = Files.list(packaged)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, folder.resolve(f.getFileName()));
            }
        }
        Files.writeString(folder.resolve(BrokerSettings.FILE), "kafka.bootstrap.servers="
                + infra.kafka().bootstrapServers() + "\nfollower.client-id=stock-broker-views\n");
        String id = register("acme", true).deviceId();
        try (MqttBroker stock = MqttBroker.start(brokerDir, Ports.freeOr(0), null, null)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> connectCode(stock, id, options(id, token(id))) == 0);
            assertThat(connectCode(stock, id, options(null, null)))
                    .isEqualTo(MqttException.REASON_CODE_FAILED_AUTHENTICATION);
            assertThat(connectCode(stock, "other", options(id, token(id))))
                    .isEqualTo(MqttException.REASON_CODE_INVALID_CLIENT_ID);
        }
    }

    // --- helpers --------------------------------------------------------------------------------------------------

    static String token(String deviceId) {
        return TestDevices.token(deviceId);
    }

    static DeviceView register(String tenant, boolean enabled) {
        String id = "edge-" + UUID.randomUUID().toString().substring(0, 8);
        DeviceView v = view(id, tenant, token(id), enabled, 1, Instant.now());
        publish(v);
        if (enabled) {
            // the broker has read the view once the device can connect
            await().atMost(Duration.ofSeconds(10)).until(() -> connectCode(id, id, token(id)) == 0);
        }
        return v;
    }

    static DeviceView view(String id, String tenant, String token, boolean enabled, long revision,
            Instant credentialsSince) {
        Instant now = Instant.now();
        return new DeviceView(DeviceView.SCHEMA_VERSION, id, tenant, "Device " + id, Protocol.MQTT, Map.of(),
                "default", Thresholds.DEFAULTS, enabled, true, "1.0", Map.of(), DeviceTokens.hash(token),
                credentialsSince.truncatedTo(ChronoUnit.MILLIS), revision, now, now);
    }

    static void publish(DeviceView v) {
        records.send(Topics.REGISTRY_DEVICES, v.deviceId(), EventJson.write(v));
    }

    static void delete(String id) {
        records.send(Topics.REGISTRY_DEVICES, id, null);
    }

    static MqttConnectOptions options(String username, String password) {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        o.setAutomaticReconnect(false);
        o.setConnectionTimeout(10);
        if (username != null) {
            o.setUserName(username);
        }
        if (password != null) {
            o.setPassword(password.toCharArray());
        }
        return o;
    }

    /** 0 if the broker accepted the CONNECT (the client is closed again), else Paho's reason code. */
    static int connectCode(String clientId, String username, String password) throws MqttException {
        return connectCode(clientId, options(username, password));
    }

    static int connectCode(String clientId, MqttConnectOptions options) throws MqttException {
        return connectCode(infra.mqtt(), clientId, options);
    }

    static int connectCode(MqttBroker broker, String clientId, MqttConnectOptions options) throws MqttException {
        MqttClient c = new MqttClient(broker.url(), clientId, new MemoryPersistence());
        try {
            c.connect(options);
            c.disconnect();
            return 0;
        } catch (MqttException e) {
            return e.getReasonCode();
        } finally {
            c.close(true);
        }
    }

    static MqttClient connect(String id, String password) throws MqttException {
        MqttClient c = new MqttClient(infra.mqtt().url(), id, new MemoryPersistence());
        c.connect(options(id, password));
        return c;
    }

    static MqttClient service(ServiceAccount account) throws MqttException {
        MqttClient c = new MqttClient(infra.mqtt().url(), account.username() + "-test-" + UUID.randomUUID(),
                new MemoryPersistence());
        c.connect(options(account.username(), infra.serviceAccounts().password(account)));
        return c;
    }

    static MqttCallback collect(BlockingQueue<String> into) {
        return new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                into.add(topic + " " + new String(message.getPayload(), StandardCharsets.UTF_8));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        };
    }

    static MqttCallback onConnectionLost(CountDownLatch latch) {
        return new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                latch.countDown();
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        };
    }

    static void close(MqttClient c) {
        try {
            if (c.isConnected()) {
                c.disconnect();
            }
            c.close(true);
        } catch (MqttException e) {
            // already gone
        }
    }
}
