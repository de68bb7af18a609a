package io.heartbeat.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.embedded.EmbeddedHiveMQ;
import com.hivemq.embedded.EmbeddedHiveMQBuilder;

import io.heartbeat.broker.BrokerSettings;
import io.heartbeat.broker.HeartbeatBrokerExtension;

/**
 * A real MQTT broker (HiveMQ Community Edition, MQTT 3.1.1 and 5) in this JVM, on loopback, with the platform's
 * extension embedded ({@link HeartbeatBrokerExtension}): every client authenticates (devices with their id and API
 * token or device JWT, services with their service account) and may use only its own topics, as seed 002 asks. There
 * is no anonymous access, in the runner or in the tests. Sessions and QoS 1 queues persist in its data folder, so a
 * restart keeps what was queued for persistent sessions.
 */
public final class MqttBroker implements AutoCloseable {

    /**
     * The TLS listener, with a PKCS#12 key store (see {@link DevTls} for the local stack's self-signed one).
     *
     * @param port the listener's port
     * @param keystore the key store with the broker's certificate and private key
     * @param password the key store's (and its key's) password
     */
    public record Tls(int port, Path keystore, String password) {
    }

    private final EmbeddedHiveMQ broker;
    private final int port;
    private final Tls tls;

    private MqttBroker(EmbeddedHiveMQ broker, int port, Tls tls) {
        this.broker = broker;
        this.port = port;
        this.tls = tls;
    }

    /**
     * @param tls the TLS listener, or null for plain TCP only
     * @param settings the embedded extension's settings (Kafka, device JWT key, service account passwords); null:
     *        nothing embedded, and the broker loads only the extension folders in {@code dir/extensions}, as a stock
     *        HiveMQ CE does (with none there it is an open broker: only the benchmark's baseline uses that)
     */
    public static MqttBroker start(Path dir, int port, Tls tls, BrokerSettings settings) {
        try {
            Path conf = Files.createDirectories(dir.resolve("conf"));
            Path data = Files.createDirectories(dir.resolve("data"));
            Path extensions = Files.createDirectories(dir.resolve("extensions"));
            Files.writeString(conf.resolve("config.xml"), config(port, tls));
            EmbeddedHiveMQBuilder builder = EmbeddedHiveMQ.builder()
                    .withConfigurationFolder(conf)
                    .withDataFolder(data)
                    .withExtensionsFolder(extensions)
                    .withoutLoggingBootstrap();
            if (settings != null) {
                builder.withEmbeddedExtension(EmbeddedExtension.builder()
                        .withId("heartbeat-broker-extension")
                        .withName("Heartbeat platform device edge")
                        .withVersion("embedded")
                        .withPriority(1000)
                        .withStartPriority(1000)
                        .withExtensionMain(new HeartbeatBrokerExtension(settings))
                        .build());
            }
            EmbeddedHiveMQ broker = builder.build();
            broker.start().get(60, TimeUnit.SECONDS);
            return new MqttBroker(broker, port, tls);
        } catch (IOException e) {
            throw new UncheckedIOException("MQTT broker did not start on port " + port, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the MQTT broker", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("MQTT broker did not start on port " + port, e);
        }
    }

    /** Loopback only; never phones home (this machine, CI and many fleets' networks are closed). */
    static String config(int port, Tls tls) {
        String tlsListener = tls == null ? "" : """
                        <tls-tcp-listener>
                            <port>%d</port>
                            <bind-address>127.0.0.1</bind-address>
                            <tls>
                                <keystore>
                                    <path>%s</path>
                                    <password>%s</password>
                                    <private-key-password>%s</private-key-password>
                                </keystore>
                                <client-authentication-mode>NONE</client-authentication-mode>
                            </tls>
                        </tls-tcp-listener>
                """.formatted(tls.port(), tls.keystore().toAbsolutePath(), tls.password(), tls.password());
        return """
                <?xml version="1.0"?>
                <hivemq>
                    <listeners>
                        <tcp-listener>
                            <port>%d</port>
                            <bind-address>127.0.0.1</bind-address>
                        </tcp-listener>
                %s    </listeners>
                    <mqtt>
                        <packets>
                            <max-packet-size>262144</max-packet-size>
                        </packets>
                        <!-- a persistent session (ingest's) may have a large backlog while Kafka is slow or down:
                             the default of 1000 queued messages per client would discard heartbeats the broker
                             has already acknowledged to devices -->
                        <queued-messages>
                            <max-queue-size>1000000</max-queue-size>
                            <strategy>discard</strategy>
                        </queued-messages>
                    </mqtt>
                    <anonymous-usage-statistics>
                        <enabled>false</enabled>
                    </anonymous-usage-statistics>
                </hivemq>
                """.formatted(port, tlsListener);
    }

    public int port() {
        return port;
    }

    public String url() {
        return "tcp://127.0.0.1:" + port;
    }

    /** The TLS listener, or null when there is none. */
    public Tls tls() {
        return tls;
    }

    /** {@code ssl://127.0.0.1:<port>} of the TLS listener, or null when there is none. */
    public String tlsUrl() {
        return tls == null ? null : "ssl://127.0.0.1:" + tls.port();
    }

    @Override
    public void close() {
        try {
            broker.stop().get(30, TimeUnit.SECONDS);
            broker.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("MQTT broker did not stop cleanly", e);
        }
    }
}
