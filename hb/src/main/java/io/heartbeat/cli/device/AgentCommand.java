package io.heartbeat.cli.device;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hivemq.client.mqtt.datatypes.MqttQos;

import io.heartbeat.cli.ExitCode;
import io.heartbeat.cli.UsageException;
import io.heartbeat.cli.config.ClientOptions;
import io.heartbeat.cli.config.DurationConverter;
import io.heartbeat.cli.config.HbConfig;
import io.heartbeat.cli.config.Service;
import io.heartbeat.cli.http.Json;
import io.heartbeat.cli.http.Problem;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code hb agent --device ID}: a real device, seed 001's heartbeat service. Publishes a heartbeat every interval
 * (MQTT with the chosen QoS, or HTTP honouring the answer's {@code next_heartbeat_in_s}, {@code Retry-After} and
 * {@code should_reconnect}), executes the commands it receives and acks each once, reconnects with backoff and
 * jitter, and on SIGTERM or Ctrl-C leaves with its last will published.
 */
@Command(name = "agent", description = "Run as one device: heartbeats every interval over MQTT or HTTP, commands "
        + "executed and acked, reconnects with backoff, graceful stop on SIGTERM/Ctrl-C.")
public final class AgentCommand implements Callable<Integer> {

    public enum Transport {
        mqtt,
        http
    }

    public enum Credential {
        token,
        jwt
    }

    @Option(names = "--device", required = true, paramLabel = "ID")
    String device;
    @Option(names = "--device-token", paramLabel = "TOKEN", description = "the device's API token (default: "
            + "HB_DEVICE_TOKEN)")
    String deviceToken;
    @Option(names = "--credential", paramLabel = "token|jwt", description = "token: the API token as password "
            + "and bearer; jwt: a device JWT from the registry (with the user token), renewed before it expires, "
            + "also sent in each MQTT heartbeat as jwt_token (default: token if one is given, else jwt)")
    Credential credential;
    @Option(names = "--jwt-lifetime", paramLabel = "DURATION", defaultValue = "1h", converter = DurationConverter.class)
    Duration jwtLifetime;
    @Option(names = "--transport", defaultValue = "mqtt", paramLabel = "mqtt|http")
    Transport transport;
    @Option(names = "--interval", defaultValue = "30s", paramLabel = "DURATION", converter = DurationConverter.class, description = "between heartbeats (default ${DEFAULT-VALUE}; over HTTP the answer's "
            + "next_heartbeat_in_s takes over)")
    Duration interval;
    @Option(names = "--qos", defaultValue = "1", paramLabel = "0|1|2", description = "MQTT QoS of heartbeats")
    int qos;
    @Option(names = "--telemetry", defaultValue = "socket", paramLabel = "socket|heart_rate|none", description = "readings sent with each heartbeat (default ${DEFAULT-VALUE}: a seed 002 smart socket "
            + "whose relay the relay commands switch)")
    Heartbeats.Telemetry telemetry;
    @Option(names = "--count", paramLabel = "N", description = "stop after N heartbeats")
    Long count;
    @Option(names = "--duration", paramLabel = "DURATION", converter = DurationConverter.class, description = "stop after this long")
    Duration duration;
    @Option(names = "--reconnect-min", defaultValue = "1s", converter = DurationConverter.class, paramLabel = "DURATION", description = "first reconnect step (default ${DEFAULT-VALUE})")
    Duration reconnectMin;
    @Option(names = "--reconnect-max", defaultValue = "60s", converter = DurationConverter.class, paramLabel = "DURATION", description = "largest reconnect step (default ${DEFAULT-VALUE})")
    Duration reconnectMax;
    @Option(names = "--health-port", paramLabel = "PORT", description = "serve GET /health on 127.0.0.1:PORT while "
            + "running (0: any free port, logged), for the monitor's HTTP_CHECK probe (protocolConfig.healthUrl)")
    Integer healthPort;
    @Option(names = "--debug")
    boolean debug;
    @Mixin
    ClientOptions client;

    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch done = new CountDownLatch(1);
    private final AtomicLong sent = new AtomicLong();
    private Log log;

    @Override
    public Integer call() throws Exception {
        if (qos < 0 || qos > 2) {
            throw new UsageException("--qos must be 0, 1 or 2");
        }
        log = new Log(System.err, debug);
        HbConfig config = client.config();
        String token = deviceToken != null ? deviceToken : System.getenv("HB_DEVICE_TOKEN");
        Credential mode = credential != null ? credential : token != null ? Credential.token : Credential.jwt;
        JwtSource jwt = null;
        if (mode == Credential.jwt) {
            jwt = new JwtSource(client.api(), device, jwtLifetime, log);
            jwt.current();
        } else if (token == null) {
            throw new UsageException("--credential token needs --device-token (or HB_DEVICE_TOKEN)");
        }
        JwtSource jwtSource = jwt;
        java.util.function.Supplier<String> secret = jwtSource != null ? jwtSource::current : () -> token;
        java.util.Random random = new java.util.Random();
        SocketTelemetry socket = telemetry == Heartbeats.Telemetry.socket ? new SocketTelemetry(random) : null;
        HeartRateGenerator heart = telemetry == Heartbeats.Telemetry.heart_rate ? new HeartRateGenerator(random)
                : null;
        CommandHandler commands = new CommandHandler(socket);
        Backoff backoff = new Backoff(reconnectMin, reconnectMax, random);

        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("Stopping the heartbeat service (SIGTERM or Ctrl-C)", "device", device);
            stop.countDown();
            try {
                done.await(15, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "hb-agent-stop"));

        long deadline = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
        HealthEndpoint health = healthPort == null ? null : HealthEndpoint.start(healthPort, device);
        if (health != null) {
            log.info("Health endpoint listening", "device", device, "url", health.url());
        }
        try {
            if (transport == Transport.mqtt) {
                runMqtt(config, secret, jwtSource, socket, heart, commands, backoff, deadline);
            } else {
                runHttp(config, secret, jwtSource, socket, heart, backoff, deadline);
            }
        } finally {
            if (health != null) {
                health.stop();
            }
            log.info("Heartbeat service stopped", "device", device, "heartbeats", sent.get());
            done.countDown();
        }
        return ExitCode.OK;
    }

    private boolean more(long deadline) {
        return (count == null || sent.get() < count) && System.nanoTime() < deadline;
    }

    /** Waits {@code d} or until stopped; true if stopped. */
    private boolean sleep(Duration d, long deadline) throws InterruptedException {
        long ms = Math.max(0, Math.min(d.toMillis(), TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        return stop.await(ms, TimeUnit.MILLISECONDS);
    }

    private void runMqtt(HbConfig config, java.util.function.Supplier<String> secret, JwtSource jwt,
            SocketTelemetry socket, HeartRateGenerator heart, CommandHandler commands, Backoff backoff, long deadline)
            throws InterruptedException {
        AtomicReference<MqttDevice> self = new AtomicReference<>();
        MqttDevice mqtt = new MqttDevice(device, config.mqttHost(), config.mqttPort(), secret, backoff,
                new MqttDevice.Listener() {
                    @Override
                    public void connected() {
                        log.info("Connected to the MQTT broker", "device", device, "broker",
                                config.mqttHost() + ":" + config.mqttPort());
                    }

                    @Override
                    public void disconnected(Throwable cause, Duration retryIn) {
                        if (retryIn == null) {
                            log.info("Disconnected from the MQTT broker", "device", device);
                        } else {
                            log.warn("MQTT connection lost or refused; reconnecting", "device", device, "error",
                                    describe(cause), "retry_in_ms", retryIn.toMillis());
                        }
                    }

                    @Override
                    public void command(byte[] payload) {
                        onCommand(self.get(), commands, payload);
                    }
                });
        self.set(mqtt);
        log.info("Heartbeat service started", "device", device, "transport", "mqtt", "interval", interval,
                "qos", qos);
        mqtt.connect();
        MqttQos q = MqttQos.fromCode(qos);
        while (more(deadline)) {
            ObjectNode body = Heartbeats.tree(device, Instant.now(), jwt == null ? null : jwt.current(), socket, heart);
            byte[] bytes;
            try {
                bytes = Json.MAPPER.writeValueAsBytes(body);
            } catch (JsonProcessingException e) {
                log.error("failed to serialize heartbeat message", "error", e.getMessage());
                if (sleep(interval, deadline)) {
                    break;
                }
                continue;
            }
            if (!mqtt.connected()) {
                log.error("failed to publish heartbeat message", "device", device, "error", "not connected");
            } else {
                String logged = Heartbeats.redacted(body);
                mqtt.publish(mqtt.heartbeatTopic(), bytes, q).whenComplete((r, e) -> {
                    Throwable error = e != null ? e : r == null ? null : r.getError().orElse(null);
                    if (error != null) {
                        log.error("failed to publish heartbeat message", "device", device, "error", describe(error));
                    } else {
                        log.info("Heartbeat published successfully", "message", logged);
                    }
                });
                sent.incrementAndGet();
            }
            if (sleep(interval, deadline)) {
                break;
            }
        }
        try {
            // with the will: the platform hears at once that the device went, instead of after its silence
            mqtt.stop(true).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("could not disconnect cleanly", "error", describe(e));
        }
    }

    private void onCommand(MqttDevice mqtt, CommandHandler commands, byte[] payload) {
        CommandHandler.Outcome o = commands.handle(payload, Instant.now());
        if (o.commandId() == null) {
            log.warn("Ignored a command message that is not a command", "device", device);
            return;
        }
        if (o.duplicate() && o.ack() == null) {
            log.info("Command repeated; already executed and acknowledged", "command_id", o.commandId(), "name",
                    o.name());
            return;
        }
        if (!o.duplicate()) {
            log.info("Command executed", "command_id", o.commandId(), "name", o.name(), "status", o.status());
        }
        mqtt.publishStatus(o.ack()).whenComplete((r, e) -> {
            Throwable error = e != null ? e : r == null ? null : r.getError().orElse(null);
            if (error != null) {
                log.error("failed to publish command ack", "command_id", o.commandId(), "error", describe(error));
                return;
            }
            commands.published(o.commandId());
            log.info("Command acknowledged", "command_id", o.commandId(), "status", o.status());
            if (o.action() == CommandHandler.Action.RECONNECT) {
                log.info("Reconnecting as the platform asked", "device", device);
                mqtt.reconnect();
            }
        });
    }

    private void runHttp(HbConfig config, java.util.function.Supplier<String> secret, JwtSource jwt,
            SocketTelemetry socket, HeartRateGenerator heart, Backoff backoff, long deadline)
            throws InterruptedException {
        java.net.URI uri = java.net.URI.create(config.url(Service.INGEST) + "/api/v1/heartbeats");
        HttpClient http = HttpClient.newBuilder().connectTimeout(client.timeout()).build();
        Duration next = interval;
        log.info("Heartbeat service started", "device", device, "transport", "http", "ingest", uri);
        while (more(deadline)) {
            ObjectNode body = Heartbeats.tree(device, Instant.now(), null, socket, heart);
            String json;
            try {
                json = Json.MAPPER.writeValueAsString(body);
            } catch (JsonProcessingException e) {
                log.error("failed to serialize heartbeat message", "error", e.getMessage());
                if (sleep(next, deadline)) {
                    break;
                }
                continue;
            }
            HttpRequest request = HttpRequest.newBuilder(uri).timeout(client.timeout())
                    .header("Authorization", "Bearer " + secret.get()).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json)).build();
            sent.incrementAndGet();
            try {
                HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                if (r.statusCode() == 200) {
                    backoff.reset();
                    JsonNode answer = Json.MAPPER.readTree(r.body());
                    log.info("Heartbeat published successfully", "message", json);
                    long nextS = answer.path("next_heartbeat_in_s").asLong(0);
                    next = nextS > 0 ? Duration.ofSeconds(nextS) : interval;
                    if (answer.path("refused_fields").size() > 0) {
                        log.warn("readings refused", "refused_fields", Json.write(answer.get("refused_fields")));
                    }
                    if (answer.path("should_reconnect").asBoolean(false)) {
                        log.info("Reconnecting as the platform asked (should_reconnect)", "device", device);
                        if (jwt != null) {
                            jwt.renew();
                        }
                        http = HttpClient.newBuilder().connectTimeout(client.timeout()).build();
                        next = Duration.ZERO;
                    }
                } else {
                    Problem p = Problem.of(r.statusCode(), r.body());
                    log.error("failed to publish heartbeat message", "device", device, "error", p.line());
                    if (r.statusCode() == 429) {
                        long retry = r.headers().firstValue("Retry-After").map(AgentCommand::seconds).orElse(1L);
                        next = Duration.ofSeconds(Math.max(1, retry));
                    } else if (r.statusCode() == 401 && jwt != null) {
                        jwt.renew();
                        next = backoff.next();
                    } else if (r.statusCode() >= 500) {
                        next = min(backoff.next(), interval);
                    } else {
                        next = interval;
                    }
                }
            } catch (IOException e) {
                next = min(backoff.next(), interval);
                log.error("failed to publish heartbeat message", "device", device, "error", describe(e),
                        "retry_in_ms", next.toMillis());
            } catch (RuntimeException e) {
                next = min(backoff.next(), interval);
                log.error("failed to publish heartbeat message", "device", device, "error", describe(e));
            }
            if (sleep(next, deadline)) {
                break;
            }
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    static long seconds(String retryAfter) {
        try {
            return Long.parseLong(retryAfter.trim());
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    static String describe(Throwable e) {
        if (e == null) {
            return "closed";
        }
        Throwable t = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
}
