package io.heartbeat.cli.device;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hivemq.client.mqtt.datatypes.MqttQos;

import io.heartbeat.cli.ExitCode;
import io.heartbeat.cli.UsageException;
import io.heartbeat.cli.config.ClientOptions;
import io.heartbeat.cli.config.DurationConverter;
import io.heartbeat.cli.config.HbConfig;
import io.heartbeat.cli.config.Service;
import io.heartbeat.cli.http.Api;
import io.heartbeat.cli.http.ApiException;
import io.heartbeat.cli.http.Json;
import io.heartbeat.cli.http.Problem;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hb simulate}: a fleet from one process, the load generator of the full-stack benchmark. Registers its
 * devices (or reuses them), connects each MQTT device as itself, then one pacer thread sends heartbeats round-robin
 * at the fleet's rate, with seed 003 heart-rate readings or seed 002 socket telemetry, while MQTT devices answer
 * their commands like the agent. Shows live progress on stderr and ends with a summary (with {@code --json} as JSON on
 * stdout) that includes what ingest's own counters say of the run.
 */
@Command(name = "simulate", description = "Many devices from one process: registration, heartbeats at a rate, "
        + "commands answered, live progress and a summary.")
public final class SimulateCommand implements Callable<Integer> {

    public enum Transport {
        mqtt,
        http,
        mixed
    }

    @Option(names = "--devices", defaultValue = "100", description = "default ${DEFAULT-VALUE}")
    int devices;
    @Option(names = "--prefix", defaultValue = "sim", description = "device ids PREFIX-00000, ... (default "
            + "${DEFAULT-VALUE})")
    String prefix;
    @Option(names = "--transport", defaultValue = "mqtt", paramLabel = "mqtt|http|mixed", description = "mixed: every other device over HTTP (default ${DEFAULT-VALUE})")
    Transport transport;
    @Option(names = "--interval", defaultValue = "30s", converter = DurationConverter.class, paramLabel = "DURATION", description = "each device's heartbeat interval (default ${DEFAULT-VALUE}); --rate overrides it")
    Duration interval;
    @Option(names = "--rate", paramLabel = "PER_SECOND", description = "heartbeats per second of the whole fleet")
    Double rate;
    @Option(names = "--duration", defaultValue = "60s", converter = DurationConverter.class, paramLabel = "DURATION", description = "default ${DEFAULT-VALUE}")
    Duration duration;
    @Option(names = "--qos", defaultValue = "1", paramLabel = "0|1|2")
    int qos;
    @Option(names = "--connections", defaultValue = "64", paramLabel = "N", description = "HTTP connections the "
            + "HTTP devices share (default ${DEFAULT-VALUE}). MQTT devices take one connection each: the broker "
            + "allows a connection only as one device (client id = user name = device id)")
    int connections;
    @Option(names = "--silent-percent", defaultValue = "0", paramLabel = "P", description = "devices that are "
            + "registered but never send (they stay UNKNOWN)")
    double silentPercent;
    @Option(names = "--flap-percent", defaultValue = "0", paramLabel = "P", description = "devices that go silent "
            + "during every other --flap-period")
    double flapPercent;
    @Option(names = "--flap-period", defaultValue = "60s", converter = DurationConverter.class, paramLabel = "DURATION")
    Duration flapPeriod;
    @Option(names = "--telemetry", defaultValue = "heart_rate", paramLabel = "heart_rate|socket|none", description = "seed 003 heart rate (default) or seed 002 socket readings")
    Heartbeats.Telemetry telemetry;
    @Option(names = "--profile", paramLabel = "PROFILE", description = "use this profile (default: create or "
            + "update hb-simulate with thresholds that fit the rate; needs an admin token)")
    String profile;
    @Option(names = "--tenant", paramLabel = "TENANT", description = "admins only: register in this tenant")
    String tenant;
    @Option(names = "--max-in-flight", defaultValue = "20000", paramLabel = "N", description = "unanswered "
            + "heartbeats at most; beyond, the pacer skips and counts them as behind")
    int maxInFlight;
    @Option(names = "--settle", defaultValue = "30s", converter = DurationConverter.class, paramLabel = "DURATION", description = "after the run, wait at most this long for ingest's counters to take in what was sent")
    Duration settle;
    @Option(names = "--cleanup", description = "delete the devices at the end")
    boolean cleanup;
    @Option(names = "--quiet", description = "no progress lines")
    boolean quiet;
    @Option(names = "--seed", paramLabel = "N", description = "random seed (readings, baselines)")
    Long seed;
    @Mixin
    ClientOptions client;
    @Spec
    CommandSpec spec;

    private final Stats stats = new Stats();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean interrupted;

    /** One simulated device. */
    private abstract static class Sim {
        final String id;
        final HeartRateGenerator heart;
        final SocketTelemetry socket;
        final boolean flapping;

        Sim(String id, HeartRateGenerator heart, SocketTelemetry socket, boolean flapping) {
            this.id = id;
            this.heart = heart;
            this.socket = socket;
            this.flapping = flapping;
        }

        abstract boolean connected();

        abstract void beat(String timestamp, Instant at);
    }

    @Override
    public Integer call() throws Exception {
        validate();
        PrintStream err = System.err;
        HbConfig config = client.config();
        Api api = client.api();
        SplittableRandom random = seed == null ? new SplittableRandom() : new SplittableRandom(seed);

        int silent = (int) Math.round(devices * silentPercent / 100.0);
        int flapping = (int) Math.round(devices * flapPercent / 100.0);
        int active = devices - silent;
        double fleetRate = rate != null ? rate : active / (interval.toNanos() / 1e9);
        double perDevice = active == 0 ? 0 : fleetRate / active;
        if (perDevice > 10) {
            throw new UsageException(String.format("%.1f heartbeats/s per device is more than ingest accepts (600 a "
                    + "minute at most): add devices or lower --rate", perDevice));
        }
        String profileId = profile != null ? profile : ensureProfile(api, perDevice);

        List<String> ids = new ArrayList<>();
        List<Boolean> http = new ArrayList<>();
        for (int i = 0; i < devices; i++) {
            ids.add(String.format("%s-%05d", prefix, i));
            http.add(transport == Transport.http || (transport == Transport.mixed && i % 2 == 1));
        }
        long t0 = System.nanoTime();
        List<Registrar.Registered> registered = new Registrar(api, 16).register(ids, http, profileId, tenant);
        long reused = registered.stream().filter(Registrar.Registered::reused).count();
        say(err, String.format("registered %d devices (%d reused) in profile %s in %.1f s", registered.size(), reused,
                profileId, (System.nanoTime() - t0) / 1e9));

        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            interrupted = true;
            stop.countDown();
            try {
                // the JVM ends when this hook does: give the run its drain and summary first
                finished.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "hb-simulate-stop"));
        try {
            return run(err, config, api, random, registered, ids, silent, flapping, active, fleetRate);
        } finally {
            finished.countDown();
        }
    }

    private int run(PrintStream err, HbConfig config, Api api, SplittableRandom random,
            List<Registrar.Registered> registered, List<String> ids, int silent, int flapping, int active,
            double fleetRate) throws Exception {

        HttpClient shared = HttpClient.newBuilder().connectTimeout(client.timeout()).build();
        Semaphore httpWindow = new Semaphore(connections);
        URI heartbeatUri = URI.create(config.url(Service.INGEST) + "/api/v1/heartbeats");
        List<Sim> sims = new ArrayList<>();
        List<MqttDevice> mqtt = new ArrayList<>();
        for (int i = silent; i < registered.size(); i++) {
            Registrar.Registered d = registered.get(i);
            // the flapping devices are the first active ones, so a run's flappers are the same devices every time
            boolean flaps = i - silent < flapping;
            HeartRateGenerator heart = telemetry == Heartbeats.Telemetry.heart_rate
                    ? new HeartRateGenerator(random.split())
                    : null;
            SocketTelemetry socket = telemetry == Heartbeats.Telemetry.socket ? new SocketTelemetry(random.split())
                    : null;
            if (d.http()) {
                sims.add(new HttpSim(d, heart, socket, flaps, shared, httpWindow, heartbeatUri));
            } else {
                MqttSim s = new MqttSim(d, heart, socket, flaps, config, random.split());
                sims.add(s);
                mqtt.add(s.mqtt);
            }
        }
        connectAll(err, mqtt);
        awaitHttpDevices(err, api, sims);
        IngestCounters before = IngestCounters.read(shared, config.url(Service.INGEST));

        say(err, String.format("sending %.0f heartbeats/s from %d devices (%d silent, %d flapping) for %d s",
                fleetRate, active, silent, flapping, duration.toSeconds()));
        Thread progress = progressPrinter(err, mqtt);
        Duration cpuBefore = cpuTime();
        long started = System.nanoTime();
        pace(sims, fleetRate, started, started + duration.toNanos());
        long sendingNanos = System.nanoTime() - started;
        drain(Duration.ofSeconds(15));
        // the process's CPU time while sending (the pacer, Netty, the HTTP client, GC): the simulator's own cost
        Duration cpu = cpuTime().minus(cpuBefore);
        long drainedNanos = System.nanoTime() - started;
        progress.interrupt();

        IngestCounters ingest = settle(shared, config.url(Service.INGEST), before);
        for (MqttDevice m : mqtt) {
            m.stop(false);
        }
        if (cleanup) {
            new Registrar(api, 16).delete(ids);
            say(err, "deleted " + ids.size() + " devices");
        }
        summary(sendingNanos, ingest, active, silent, flapping, fleetRate, mqtt.size(), cpu, drainedNanos);
        return interrupted ? ExitCode.INTERRUPTED : ExitCode.OK;
    }

    private void validate() {
        if (devices < 1) {
            throw new UsageException("--devices must be at least 1");
        }
        if (qos < 0 || qos > 2) {
            throw new UsageException("--qos must be 0, 1 or 2");
        }
        if (silentPercent < 0 || flapPercent < 0 || silentPercent + flapPercent > 100) {
            throw new UsageException("--silent-percent and --flap-percent must be 0..100 and add up to at most 100");
        }
        if (rate != null && rate <= 0) {
            throw new UsageException("--rate must be more than 0");
        }
        if (connections < 1) {
            throw new UsageException("--connections must be at least 1");
        }
    }

    /**
     * Thresholds that fit the rate: the interval rounded up to whole seconds, CONNECTED while a heartbeat is at most
     * three intervals old, no minimum spacing, and a per-minute allowance half again above the rate, so ingest's
     * rate limit refuses nothing a correct run sends.
     */
    static ObjectNode profileThresholds(double perDevice) {
        double intervalS = perDevice <= 0 ? 30 : 1 / perDevice;
        int interval = (int) Math.max(1, Math.min(86_400, Math.ceil(intervalS)));
        int connectedWithin = Math.max(interval * 3, interval + 5);
        return Json.object().put("heartbeatIntervalSeconds", interval).put("connectedWithinSeconds", connectedWithin)
                .put("disconnectedAfterSeconds", connectedWithin * 4).put("minHeartbeatSpacingSeconds", 0)
                .put("maxHeartbeatsPerMinute", (int) Math.min(600, Math.max(10, Math.ceil(perDevice * 60 * 1.5))));
    }

    private String ensureProfile(Api api, double perDevice) {
        String id = "hb-simulate";
        ObjectNode thresholds = profileThresholds(perDevice);
        ObjectNode body = Json.object().put("id", id).put("name", "hb simulate");
        body.set("thresholds", thresholds);
        try {
            api.post(Service.REGISTRY, "/api/v1/profiles", body);
        } catch (ApiException e) {
            if (e.problem() == null || e.problem().status() != 409) {
                throw e;
            }
            ObjectNode patch = Json.object();
            patch.set("thresholds", thresholds);
            api.send(Service.REGISTRY, "PATCH", "/api/v1/profiles/" + id, patch, Map.of());
        }
        return id;
    }

    private void connectAll(PrintStream err, List<MqttDevice> mqtt) throws InterruptedException {
        if (mqtt.isEmpty()) {
            return;
        }
        long t0 = System.nanoTime();
        Semaphore window = new Semaphore(200);
        for (MqttDevice m : mqtt) {
            window.acquire();
            m.connect().whenComplete((r, e) -> window.release());
            if (stop.getCount() == 0) {
                return;
            }
        }
        // a refused first CONNECT (the broker has not read a new device's view yet) is retried with backoff
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        long up;
        while ((up = mqtt.stream().filter(MqttDevice::connected).count()) < mqtt.size()
                && System.nanoTime() < deadline && stop.getCount() > 0) {
            Thread.sleep(200);
        }
        say(err, String.format("%d of %d MQTT devices connected in %.1f s", up, mqtt.size(),
                (System.nanoTime() - t0) / 1e9));
    }

    /**
     * Ingest learns new devices from registry.devices: wait until it knows the last HTTP device registered (its
     * history answers 200 instead of 404), without sending a heartbeat that the run's counts would not include.
     */
    private void awaitHttpDevices(PrintStream err, Api api, List<Sim> sims) throws InterruptedException {
        String last = null;
        for (Sim s : sims) {
            if (s instanceof HttpSim) {
                last = s.id;
            }
        }
        if (last == null) {
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && stop.getCount() > 0) {
            try {
                api.get(Service.INGEST, "/api/v1/heartbeats/" + last, Map.of("limit", 1));
                return;
            } catch (ApiException e) {
                if (e.problem() == null || e.problem().status() != 404) {
                    throw e;
                }
            }
            Thread.sleep(250);
        }
        say(err, "ingest did not learn the devices within 60 s; sending anyway");
    }

    /**
     * One thread: heartbeat n is due at {@code started + n / rate} and goes to device {@code n mod fleet}, so every
     * device beats at the same interval and the fleet's beats are spread evenly over it.
     */
    private void pace(List<Sim> sims, double fleetRate, long started, long end) {
        if (sims.isEmpty()) {
            LockSupport.parkNanos(end - System.nanoTime());
            return;
        }
        long n = 0;
        long lastMillis = -1;
        String timestamp = null;
        Instant at = null;
        long flapNanos = Math.max(1, flapPeriod.toNanos());
        while (stop.getCount() > 0) {
            long now = System.nanoTime();
            if (now >= end) {
                break;
            }
            long due = (long) ((now - started) / 1e9 * fleetRate);
            boolean flapOff = ((now - started) / flapNanos) % 2 == 1;
            while (n < due) {
                Sim s = sims.get((int) (n % sims.size()));
                n++;
                if (s.flapping && flapOff) {
                    continue;
                }
                if (inFlight.get() >= maxInFlight) {
                    stats.behind.increment();
                    continue;
                }
                long ms = System.currentTimeMillis();
                if (ms != lastMillis) {
                    // one timestamp per millisecond: formatting an Instant per heartbeat costs more than sending
                    lastMillis = ms;
                    at = Instant.ofEpochMilli(ms);
                    timestamp = at.toString();
                }
                s.beat(timestamp, at);
            }
            LockSupport.parkNanos(200_000);
        }
    }

    private void drain(Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    /** Waits until ingest's counters have taken in every heartbeat the broker or ingest acknowledged. */
    private IngestCounters settle(HttpClient http, String ingestUrl, IngestCounters before)
            throws InterruptedException {
        if (before == null) {
            return null;
        }
        // a run stopped by a signal has no time to wait for ingest
        long deadline = System.nanoTime() + (interrupted ? TimeUnit.SECONDS.toNanos(2) : settle.toNanos());
        IngestCounters delta = null;
        double lastSeen = -1;
        long stableSince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            IngestCounters now = IngestCounters.read(http, ingestUrl);
            if (now == null) {
                return null;
            }
            delta = now.minus(before);
            double seen = delta.accepted() + delta.refusedHeartbeats();
            if (seen >= stats.accepted.sum()) {
                break;
            }
            if (seen != lastSeen) {
                lastSeen = seen;
                stableSince = System.nanoTime();
            } else if (System.nanoTime() - stableSince > TimeUnit.SECONDS.toNanos(5) && qos == 0) {
                break; // QoS 0 may lose messages; nothing more is coming
            }
            Thread.sleep(500);
        }
        return delta;
    }

    private Thread progressPrinter(PrintStream err, List<MqttDevice> mqtt) {
        Thread t = new Thread(() -> {
            long t0 = System.nanoTime();
            long lastSent = 0;
            long[] lastLatency = stats.latency.snapshot();
            long lastAt = t0;
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
                if (quiet) {
                    continue;
                }
                long now = System.nanoTime();
                long sent = stats.sent.sum();
                long[] latency = stats.latency.snapshot();
                long up = mqtt.stream().filter(MqttDevice::connected).count();
                err.printf("[%4ds] sent %,d  accepted %,d  refused %,d%s  rate %,.0f/s  p50 %s  p99 %s%s%n",
                        (now - t0) / 1_000_000_000, sent, stats.accepted.sum(), stats.refusedTotal(),
                        reasons(), (sent - lastSent) / ((now - lastAt) / 1e9),
                        ms(LatencyHistogram.quantile(latency, lastLatency, 0.5)),
                        ms(LatencyHistogram.quantile(latency, lastLatency, 0.99)),
                        mqtt.isEmpty() ? "" : String.format("  mqtt connected %d/%d", up, mqtt.size()));
                lastSent = sent;
                lastLatency = latency;
                lastAt = now;
            }
        }, "hb-simulate-progress");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private String reasons() {
        Map<String, Long> r = stats.refusedByReason();
        return r.isEmpty() ? "" : " " + r;
    }

    static String ms(double v) {
        return Double.isNaN(v) ? "-" : String.format("%.1f ms", v);
    }

    private static Duration cpuTime() {
        return ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO);
    }

    private void summary(long sendingNanos, IngestCounters ingest, int active, int silent, int flapping,
            double fleetRate, int mqttDevices, Duration cpu, long drainedNanos) {
        double seconds = sendingNanos / 1e9;
        long[] latency = stats.latency.snapshot();
        ObjectNode s = Json.object().put("devices", devices).put("active", active).put("silent", silent)
                .put("flapping", flapping).put("mqttDevices", mqttDevices).put("httpDevices", active - mqttDevices)
                .put("transport", transport.name()).put("qos", qos).put("targetRate", Math.round(fleetRate))
                .put("seconds", Math.round(seconds * 10) / 10.0).put("sent", stats.sent.sum())
                .put("accepted", stats.accepted.sum()).put("refused", stats.refusedTotal())
                .put("behind", stats.behind.sum()).put("rate", Math.round(stats.sent.sum() / seconds))
                .put("commands", stats.commands.sum()).put("acks", stats.acks.sum())
                .put("cpuSeconds", cpu.toMillis() / 1000.0)
                .put("coresUsed", Math.round(cpu.toNanos() / (double) drainedNanos * 100) / 100.0);
        ObjectNode reasons = s.putObject("refusedByReason");
        stats.refusedByReason().forEach(reasons::put);
        double p50 = LatencyHistogram.quantile(latency, null, 0.5);
        double p99 = LatencyHistogram.quantile(latency, null, 0.99);
        if (!Double.isNaN(p50)) {
            s.put("latencyP50Ms", p50).put("latencyP99Ms", p99);
        }
        if (ingest != null) {
            ObjectNode i = s.putObject("ingest");
            i.put("accepted", Math.round(ingest.accepted()));
            ObjectNode rej = i.putObject("rejectedByReason");
            ingest.rejectedByReason().forEach((k, v) -> rej.put(k, Math.round(v)));
        }
        var out = spec.commandLine().getOut();
        if (client.json()) {
            out.println(Json.write(s));
        } else {
            out.print(io.heartbeat.cli.output.Printer.fields(s));
        }
        out.flush();
    }

    private static void say(PrintStream err, String line) {
        err.println("[simulate] " + line);
        err.flush();
    }

    /** Counts a publish's outcome. */
    private void completed(long startedNanos, Throwable e, com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult r) {
        inFlight.decrementAndGet();
        Throwable error = e != null ? e : r == null ? null : r.getError().orElse(null);
        if (error != null) {
            stats.refused(mqttReason(error));
            return;
        }
        stats.accepted.increment();
        if (qos > 0) {
            stats.latency.record(System.nanoTime() - startedNanos);
        }
    }

    static String mqttReason(Throwable e) {
        Throwable t = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        if (t instanceof com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException p) {
            return "mqtt-puback-" + p.getMqttMessage().getReasonCode().name().toLowerCase(java.util.Locale.ROOT);
        }
        if (t instanceof com.hivemq.client.mqtt.exceptions.MqttClientStateException) {
            return "mqtt-not-connected";
        }
        if (t instanceof com.hivemq.client.mqtt.exceptions.ConnectionClosedException) {
            return "mqtt-connection-closed";
        }
        return "mqtt-" + t.getClass().getSimpleName();
    }

    private final class MqttSim extends Sim {
        final MqttDevice mqtt;
        final MqttQos q = MqttQos.fromCode(qos);
        final CommandHandler commands;

        MqttSim(Registrar.Registered d, HeartRateGenerator heart, SocketTelemetry socket, boolean flapping,
                HbConfig config, SplittableRandom random) {
            super(d.id(), heart, socket, flapping);
            this.commands = new CommandHandler(socket);
            MqttDevice[] self = new MqttDevice[1];
            this.mqtt = new MqttDevice(d.id(), config.mqttHost(), config.mqttPort(), d::token,
                    new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), random),
                    new MqttDevice.Listener() {
                        @Override
                        public void connected() {
                        }

                        @Override
                        public void disconnected(Throwable cause, Duration retryIn) {
                        }

                        @Override
                        public void command(byte[] payload) {
                            onCommand(self[0], payload);
                        }
                    });
            self[0] = mqtt;
        }

        private void onCommand(MqttDevice device, byte[] payload) {
            stats.commands.increment();
            CommandHandler.Outcome o = commands.handle(payload, Instant.now());
            if (o.ack() == null) {
                return;
            }
            device.publishStatus(o.ack()).whenComplete((r, e) -> {
                if (e == null && (r == null || r.getError().isEmpty())) {
                    commands.published(o.commandId());
                    stats.acks.increment();
                    if (o.action() == CommandHandler.Action.RECONNECT) {
                        device.reconnect();
                    }
                }
            });
        }

        @Override
        boolean connected() {
            return mqtt.connected();
        }

        @Override
        void beat(String timestamp, Instant at) {
            stats.sent.increment();
            if (!mqtt.connected()) {
                stats.refused("mqtt-not-connected");
                return;
            }
            byte[] body = Heartbeats.fast(id, timestamp, socket, heart, at).getBytes(StandardCharsets.UTF_8);
            long t = System.nanoTime();
            inFlight.incrementAndGet();
            mqtt.publish(mqtt.heartbeatTopic(), body, q).whenComplete((r, e) -> completed(t, e, r));
        }
    }

    private final class HttpSim extends Sim {
        final String bearer;
        final HttpClient client;
        final Semaphore window;
        final URI uri;

        HttpSim(Registrar.Registered d, HeartRateGenerator heart, SocketTelemetry socket, boolean flapping,
                HttpClient client, Semaphore window, URI uri) {
            super(d.id(), heart, socket, flapping);
            this.bearer = "Bearer " + d.token();
            this.client = client;
            this.window = window;
            this.uri = uri;
        }

        HttpRequest request(String body) {
            return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).header("Authorization", bearer)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))
                    .build();
        }

        @Override
        boolean connected() {
            return true;
        }

        @Override
        void beat(String timestamp, Instant at) {
            if (!window.tryAcquire()) {
                stats.behind.increment();
                return;
            }
            stats.sent.increment();
            inFlight.incrementAndGet();
            long t = System.nanoTime();
            client.sendAsync(request(Heartbeats.fast(id, timestamp, socket, heart, at)),
                    HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> {
                        window.release();
                        inFlight.decrementAndGet();
                        if (e != null) {
                            stats.refused("http-" + AgentCommand.describe(e).split(":")[0]);
                            return;
                        }
                        stats.latency.record(System.nanoTime() - t);
                        if (r.statusCode() == 200) {
                            stats.accepted.increment();
                            if (r.body().contains("\"should_reconnect\":true")) {
                                // seed 004 over HTTP: the reconnect is the next request on a fresh connection;
                                // the shared client has none of its own, so it is only counted
                                stats.commands.increment();
                            }
                        } else {
                            Problem p = Problem.of(r.statusCode(), r.body());
                            stats.refused(p.type() == null ? "http-" + r.statusCode()
                                    : p.type().replace("/problems/", ""));
                        }
                    });
        }
    }
}
