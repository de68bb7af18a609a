package io.heartbeat.localstack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The embedded default: starts Postgres, the MQTT broker and Kafka from Maven artifacts, then every service module
 * that has been built as a packaged app in its own process, waits until each is ready and prints where everything is,
 * with an admin token for the API. Ctrl-C stops everything. Data lives in {@code --data-dir} and survives a restart
 * unless {@code --fresh} is given.
 */
public final class LocalStackMain {

    static final String USAGE = """
            usage: local-stack [options]
              --data-dir DIR       where Postgres, Kafka, MQTT, keys and logs live (default .local-stack)
              --fresh              delete the data directory first
              --port-offset N      add N to every default port (to run beside another stack)
              --postgres-port P    default 15432
              --mqtt-port P        default 1883
              --mqtt-tls           also a TLS listener (default port 8883) with a self-signed development
                                   certificate made in DIR/keys (mqtt-tls.crt is its PEM)
              --mqtt-tls-port P    the TLS listener's port (implies --mqtt-tls)
              --kafka-port P       default 9092 (its KRaft controller takes P+1)
              --partitions N       partitions per Kafka topic (default 6)
              --services A,B       only these service modules (default: every built one)
              --infra-only         start the infrastructure, no services
              --root DIR           the repository root (default .)
            """;

    /**
     * Postgres, Kafka and the broker are up in about 10 s on an idle 2-core machine; this is for a start that hangs
     * (system property {@code local-stack.start-deadline-seconds} to change it).
     */
    static final Duration INFRASTRUCTURE_DEADLINE = Duration
            .ofSeconds(Long.getLong("local-stack.start-deadline-seconds", 150));

    /** What a start that did not come up prints before the runner exits with status 3. */
    public static final String STALLED = "infrastructure did not come up within";

    record Options(Path root, Path dataDir, boolean fresh, int portOffset, int postgresPort, int mqttPort,
            int kafkaPort, int partitions, List<String> services, boolean infraOnly, int mqttTlsPort) {
    }

    public static void main(String[] args) throws InterruptedException {
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("local-stack: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        List<Integer> busy = new ArrayList<>();
        List<Integer> ports = new ArrayList<>(List.of(o.postgresPort(), o.mqttPort(), o.kafkaPort(), o.kafkaPort() + 1));
        if (o.mqttTlsPort() >= 0) {
            ports.add(o.mqttTlsPort());
        }
        for (int port : ports) {
            if (Ports.inUse(port + o.portOffset())) {
                busy.add(port + o.portOffset());
            }
        }
        if (!busy.isEmpty()) {
            System.err.println("local-stack: ports " + busy + " are in use (another local stack?); stop it or use "
                    + "--port-offset N");
            System.exit(1);
        }
        if (o.fresh()) {
            Dirs.deleteRecursively(o.dataDir());
        }
        logInfrastructureTo(o.dataDir().resolve("logs"));
        long t0 = System.nanoTime();
        say("starting Postgres, MQTT broker and Kafka (KRaft) in " + o.dataDir().toAbsolutePath());
        Thread watchdog = stallWatchdog(INFRASTRUCTURE_DEADLINE, o.dataDir().resolve("logs/infrastructure.log"));
        Infrastructure infra = Infrastructure.start(new Infrastructure.Settings(o.dataDir(),
                o.postgresPort() + o.portOffset(), o.mqttPort() + o.portOffset(), o.kafkaPort() + o.portOffset(),
                o.kafkaPort() + 1 + o.portOffset(), o.partitions(),
                o.mqttTlsPort() < 0 ? -1 : o.mqttTlsPort() + o.portOffset()), LocalStackMain::say);
        watchdog.interrupt();
        say(String.format("infrastructure up in %.1f s", (System.nanoTime() - t0) / 1e9));

        List<ServiceProcess> running = new ArrayList<>();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            say("stopping");
            for (int i = running.size() - 1; i >= 0; i--) {
                running.get(i).stop(Duration.ofSeconds(20));
            }
            infra.close();
            stopped.countDown();
        }, "local-stack-shutdown"));

        if (!o.infraOnly()) {
            for (ServiceSpec spec : ServiceSpec.ALL) {
                if (!o.services().isEmpty() && !o.services().contains(spec.name())) {
                    continue;
                }
                if (!spec.moduleExists(o.root())) {
                    continue;
                }
                Path jar = spec.runnerJar(o.root());
                if (!Files.isRegularFile(jar)) {
                    say(spec.name() + " is not built (" + jar + "): run ./mvnw package -DskipTests first");
                    continue;
                }
                Map<String, String> config = new LinkedHashMap<>(infra.serviceConfig(spec.database()));
                running.add(ServiceProcess.launch(spec, jar, spec.defaultPort() + o.portOffset(), config,
                        o.dataDir().resolve("logs")));
            }
            for (ServiceProcess p : running) {
                if (!p.awaitReady(Duration.ofSeconds(180))) {
                    say(p.spec().name() + " did not become ready; its log: " + p.log().toAbsolutePath());
                }
            }
        }
        // one token for the table and hb's config file
        String adminToken = new DevTokens(infra.userKeys().loadPrivate()).admin();
        printTable(infra, running, o, adminToken);
        Path cliConfig = writeCliConfig(infra, o, adminToken);
        say("hb config: " + cliConfig + " (hb reads it from the repository root, or with HB_CONFIG=" + cliConfig
                + ")");
        say(String.format("ready in %.1f s; Ctrl-C stops everything", (System.nanoTime() - t0) / 1e9));
        listenForControls(infra);
        stopped.await();
    }

    static void printTable(Infrastructure infra, List<ServiceProcess> running, Options o, String adminToken) {
        String row = "%-26s %-50s %s%n";
        StringBuilder sb = new StringBuilder("\n");
        sb.append(String.format(row, "SERVICE", "URL", "HEALTH"));
        for (ServiceProcess p : running) {
            sb.append(String.format(row, p.spec().name(), p.url() + "/q/swagger-ui", p.health()));
        }
        sb.append(String.format(row, "postgres", "jdbc:postgresql://127.0.0.1:" + infra.postgres().port() + "/"
                + ServiceDatabase.DATABASE, "UP"));
        sb.append(String.format(row, "mqtt-broker", infra.mqtt().url(), "UP"));
        if (infra.mqtt().tls() != null) {
            sb.append(String.format(row, "mqtt-broker (TLS)", infra.mqtt().tlsUrl(), "UP, self-signed: "
                    + DevTls.certificate(infra.userKeys().privateKey().getParent()).toAbsolutePath()));
        }
        sb.append(String.format(row, "kafka", infra.kafka().bootstrapServers(),
                infra.kafka().running() ? "UP" : "DOWN"));
        sb.append("\nlogs: ").append(o.dataDir().resolve("logs").toAbsolutePath()).append('\n');
        sb.append("""

                Admin token for the API (tenant "local", group "admin"), valid 30 days. LOCAL USE ONLY: it is signed
                with a development key this stack generated in %s; never use these keys anywhere else.

                export HEARTBEAT_TOKEN=%s

                Devices connect to the broker with their id and API token (or a device JWT):
                  mosquitto_pub -h 127.0.0.1 -p %d -i <device-id> -u <device-id> -P <api-token> \
                    -t devices/<device-id>/heartbeat -q 1 -m '{"status":"alive"}'

                """.formatted(infra.userKeys().privateKey().getParent().toAbsolutePath(),
                adminToken, infra.mqtt().port()));
        System.out.print(sb);
        System.out.flush();
    }

    /** The file the {@code hb} command line reads ({@code hb.properties} in the data directory). */
    static final String CLI_CONFIG = "hb.properties";

    /**
     * Writes {@code DATA_DIR/hb.properties} for the {@code hb} command line: every service's URL, the broker, the
     * admin token and the development key that {@code hb dev-token} signs with. Readable by the owner only, since it
     * holds a token. Rewritten at every start (ports and the token may change).
     */
    static Path writeCliConfig(Infrastructure infra, Options o, String adminToken) {
        StringBuilder sb = new StringBuilder();
        for (ServiceSpec spec : ServiceSpec.ALL) {
            String key = switch (spec.database().schema()) {
                case "registry" -> "registry.url";
                case "ingest" -> "ingest.url";
                case "monitor" -> "monitor.url";
                default -> "command.url";
            };
            sb.append(key).append("=http://127.0.0.1:").append(spec.defaultPort() + o.portOffset()).append('\n');
        }
        sb.append("mqtt.host=127.0.0.1\n");
        sb.append("mqtt.port=").append(infra.mqtt().port()).append('\n');
        sb.append("dev.key=").append(infra.userKeys().privateKey().toAbsolutePath()).append('\n');
        sb.append("token=").append(adminToken).append('\n');
        Path file = o.dataDir().resolve(CLI_CONFIG);
        try {
            Files.deleteIfExists(file);
            Files.createFile(file);
            try {
                Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the data directory's own permissions apply
            }
            Files.writeString(file, sb);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("could not write " + file, e);
        }
        return file.toAbsolutePath();
    }

    /**
     * Lines typed on standard input while the stack runs: {@code restart-mqtt} restarts the MQTT broker (to watch
     * devices reconnect). Without a standard input (CI, a service manager) the thread ends at once.
     */
    static void listenForControls(Infrastructure infra) {
        Thread t = new Thread(() -> {
            try (java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in,
                    java.nio.charset.StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    switch (line.trim()) {
                        case "" -> {
                        }
                        case "restart-mqtt" -> {
                            say("restarting the MQTT broker");
                            try {
                                infra.restartMqtt();
                                say("MQTT broker restarted on port " + infra.mqtt().port());
                            } catch (RuntimeException e) {
                                say("MQTT broker restart failed: " + e.getMessage());
                            }
                        }
                        default -> say("unknown control '" + line.trim() + "' (known: restart-mqtt)");
                    }
                }
            } catch (java.io.IOException e) {
                // standard input closed
            }
        }, "local-stack-controls");
        t.setDaemon(true);
        t.start();
    }

    /** Postgres, Kafka and the broker log to a file; the console keeps to what a user needs. */
    static void logInfrastructureTo(Path logDir) {
        try {
            Files.createDirectories(logDir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        System.setProperty("org.slf4j.simpleLogger.logFile", logDir.resolve("infrastructure.log").toString());
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        System.setProperty("org.slf4j.simpleLogger.log.oshi", "off");
    }

    static Options parse(String[] args) {
        Path root = Path.of(".");
        Path dataDir = null;
        boolean fresh = false;
        boolean infraOnly = false;
        int offset = 0;
        int pg = 15432;
        int mqtt = 1883;
        int mqttTls = -1;
        int kafka = 9092;
        int partitions = 6;
        List<String> services = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--fresh" -> fresh = true;
                case "--infra-only" -> infraOnly = true;
                case "--data-dir" -> dataDir = Path.of(value(args, ++i, a));
                case "--root" -> root = Path.of(value(args, ++i, a));
                case "--port-offset" -> offset = number(args, ++i, a);
                case "--postgres-port" -> pg = number(args, ++i, a);
                case "--mqtt-port" -> mqtt = number(args, ++i, a);
                case "--mqtt-tls" -> mqttTls = mqttTls < 0 ? 8883 : mqttTls;
                case "--mqtt-tls-port" -> mqttTls = number(args, ++i, a);
                case "--kafka-port" -> kafka = number(args, ++i, a);
                case "--partitions" -> partitions = number(args, ++i, a);
                case "--services" -> services.addAll(List.of(value(args, ++i, a).split(",")));
                case "-h", "--help" -> {
                    System.out.print(USAGE);
                    System.exit(0);
                }
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("--partitions must be at least 1");
        }
        root = root.toAbsolutePath().normalize();
        return new Options(root, dataDir != null ? dataDir.toAbsolutePath().normalize() : root.resolve(".local-stack"),
                fresh, offset, pg, mqtt,
                kafka, partitions, services, infraOnly, mqttTls);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static int number(String[] args, int i, String option) {
        String v = value(args, i, option);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a number, got '" + v + "'");
        }
    }

    /**
     * A thread that, unless interrupted within {@code deadline}, says the infrastructure did not come up, prints what
     * every thread of the runner is doing (the stall's evidence, since the infrastructure's own log may say nothing)
     * and ends the runner with status 3 rather than leaving it hanging.
     */
    static Thread stallWatchdog(Duration deadline, Path log) {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(deadline.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            StringBuilder dump = new StringBuilder();
            Thread.getAllStackTraces().forEach((thread, stack) -> {
                dump.append('"').append(thread.getName()).append("\" ").append(thread.getState()).append('\n');
                for (int i = 0; i < Math.min(stack.length, 25); i++) {
                    dump.append("    at ").append(stack[i]).append('\n');
                }
            });
            say(STALLED + " " + deadline.toSeconds() + " s (its log: " + log.toAbsolutePath()
                    + "); the runner's threads:\n" + dump);
            System.exit(3);
        }, "local-stack-watchdog");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void say(String message) {
        System.out.println("[local-stack] " + message);
        System.out.flush();
    }
}
