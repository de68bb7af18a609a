package io.heartbeat.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.hivemq.embedded.EmbeddedHiveMQ;

/**
 * A real MQTT broker (HiveMQ Community Edition, MQTT 3.1.1 and 5) in this JVM, on loopback. Sessions and QoS 1 queues
 * persist in its data folder, so a restart keeps what was queued for persistent sessions. Anonymous clients are
 * allowed: the platform checks device credentials on each message, as the seeds specify.
 */
public final class MqttBroker implements AutoCloseable {

    private final EmbeddedHiveMQ broker;
    private final int port;

    private MqttBroker(EmbeddedHiveMQ broker, int port) {
        this.broker = broker;
        this.port = port;
    }

    public static MqttBroker start(Path dir, int port) {
        try {
            Path conf = Files.createDirectories(dir.resolve("conf"));
            Path data = Files.createDirectories(dir.resolve("data"));
            Path extensions = Files.createDirectories(dir.resolve("extensions"));
            Files.writeString(conf.resolve("config.xml"), config(port));
            EmbeddedHiveMQ broker = EmbeddedHiveMQ.builder()
                    .withConfigurationFolder(conf)
                    .withDataFolder(data)
                    .withExtensionsFolder(extensions)
                    .withoutLoggingBootstrap()
                    .build();
            broker.start().get(60, TimeUnit.SECONDS);
            return new MqttBroker(broker, port);
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
    static String config(int port) {
        return """
                <?xml version="1.0"?>
                <hivemq>
                    <listeners>
                        <tcp-listener>
                            <port>%d</port>
                            <bind-address>127.0.0.1</bind-address>
                        </tcp-listener>
                    </listeners>
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
                """.formatted(port);
    }

    public int port() {
        return port;
    }

    public String url() {
        return "tcp://127.0.0.1:" + port;
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
