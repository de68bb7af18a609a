package io.heartbeat.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.heartbeat.localstack.Dirs;

/**
 * The deployment files against the running platform (the local-stack runner with the packaged services, as
 * {@link LocalStackIT} starts it): every metric the Grafana dashboards (deploy/docker/grafana/dashboards) query is
 * one the services really export on /q/metrics once they have seen some traffic, and the API gateway's routes
 * (deploy/docker/gateway/nginx.conf, which the Kubernetes routes must equal: deployment-tests) send every path of
 * every service's OpenAPI document to that service and nothing to a service without such a path, resolved as nginx
 * resolves them (longest matching prefix); then, where an nginx binary can be had, that configuration runs in front of
 * the stack and real requests go through it.
 */
class DeploymentMetricsIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Map<String, Integer> PORTS = Map.of("device-registry-service", 8081, "heartbeat-ingest-service", 8082,
            "status-monitor-service", 8083, "command-service", 8084);
    static final Set<String> PROMQL_WORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
            "bool", "and", "or", "unless", "offset", "le", "inf", "nan");

    final Path dataDir = Dirs.temp("e2e-deploy-");
    final int offset = LocalStackIT.freeOffset();
    Process stack;

    @AfterEach
    void stop() throws Exception {
        LocalStackIT.stop(stack);
        Dirs.deleteRecursively(dataDir);
    }

    @Test
    void dashboardsQueryRealMetricsAndTheGatewayRoutesEveryApiPath() throws Exception {
        LocalStackIT.Ready launched = LocalStackIT.startReady(dataDir, offset);
        stack = launched.process();
        String table = launched.table();
        String token = LocalStackIT.token(table);
        traffic(token);

        // every metric name the dashboards use is exported by some service
        Map<String, String> used = dashboardMetrics();
        assertThat(used).as("the dashboards' metrics (the scan must find them)").hasSizeGreaterThan(30);
        Set<String> exported = new TreeSet<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            exported.clear();
            for (int port : PORTS.values()) {
                exported.addAll(metricNames(get(port, "/q/metrics")));
            }
            Map<String, String> missing = new TreeMap<>(used);
            missing.keySet().removeAll(exported);
            assertThat(missing).as("queried by a dashboard (value: where) but exported by no service").isEmpty();
        });

        // every OpenAPI path reaches its own service through the gateway, and every route serves some path
        Map<String, String> routes = nginxRoutes();
        Set<String> usedRoutes = new TreeSet<>();
        for (var service : PORTS.entrySet()) {
            JsonNode openapi = JSON.readTree(get(service.getValue(), "/q/openapi?format=json"));
            assertThat(openapi.path("paths").size()).as(service.getKey() + " OpenAPI paths").isPositive();
            openapi.path("paths").fieldNames().forEachRemaining(path -> {
                String route = longestPrefix(routes.keySet(), path);
                assertThat(route).as(path + " is routed by the gateway").isNotNull();
                assertThat(routes.get(route)).as(path + " goes to " + service.getKey())
                        .isEqualTo(service.getKey() + ":" + service.getValue());
                usedRoutes.add(route);
            });
        }
        assertThat(usedRoutes).as("gateway routes that serve an OpenAPI path").isEqualTo(routes.keySet());

        // and the configuration itself, run by nginx where the machine or its distribution has it
        Path nginx = nginxBinary();
        if (nginx == null) {
            System.out.println("DeploymentMetricsIT: no nginx binary here; the gateway's routes were checked against"
                    + " the OpenAPI paths only");
            return;
        }
        throughTheGateway(nginx, token);
    }

    /** nginx on PATH, in /usr/sbin, or unpacked from the distribution's package by the build (src/test/tools). */
    static Path nginxBinary() {
        List<Path> candidates = new java.util.ArrayList<>();
        String tools = System.getProperty("heartbeat.tools");
        if (tools != null) {
            candidates.add(Path.of(tools, "usr/sbin/nginx"));
        }
        candidates.add(Path.of("/usr/sbin/nginx"));
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            candidates.add(Path.of(dir, "nginx"));
        }
        return candidates.stream().filter(Files::isExecutable).findFirst().orElse(null);
    }

    /**
     * compose's nginx.conf with only its addresses changed (upstreams to this stack's ports, a free listen port, files
     * in a temporary directory): every GET path of every service's OpenAPI document answers through the gateway as it
     * answers directly, a heartbeat posted through it is accepted, the status stream opens through it, and a path of
     * no service is the gateway's own 404 problem.
     */
    void throughTheGateway(Path nginx, String token) throws Exception {
        Path dir = dataDir.resolve("gateway");
        Files.createDirectories(dir.resolve("logs"));
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        String conf = Files.readString(LocalStackIT.ROOT.resolve("deploy/docker/gateway/nginx.conf"));
        for (var service : PORTS.entrySet()) {
            conf = conf.replace("server " + service.getKey() + ":" + service.getValue() + ";",
                    "server 127.0.0.1:" + (service.getValue() + offset) + ";");
        }
        conf = conf.replace("listen 8080;", "listen 127.0.0.1:" + port + ";")
                .replace("/tmp/", dir.toString() + "/")
                .replace("access_log /dev/stdout;", "access_log " + dir.resolve("logs/access.log") + ";")
                .replace("error_log /dev/stderr warn;", "error_log " + dir.resolve("logs/error.log") + " warn;");
        if ("root".equals(System.getProperty("user.name"))) {
            conf = "user root;\n" + conf; // its workers may then use the temporary directory, which is the test's own
        }
        assertThat(conf).as("every upstream rewritten").doesNotContain("-service:");
        Path file = dir.resolve("nginx.conf");
        Files.writeString(file, conf);
        List<String> base = List.of(nginx.toString(), "-p", dir.toString(), "-c", file.toString(), "-e",
                dir.resolve("logs/error.log").toString());
        List<String> test = new java.util.ArrayList<>(base);
        test.add("-t");
        Process check = new ProcessBuilder(test).redirectErrorStream(true).start();
        String checked = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(check.waitFor()).as("nginx -t: " + checked).isZero();
        List<String> run = new java.util.ArrayList<>(base);
        run.addAll(List.of("-g", "daemon off;"));
        Process gateway = new ProcessBuilder(run).redirectErrorStream(true)
                .redirectOutput(dir.resolve("logs/nginx.out").toFile()).start();
        try {
            String gw = "http://127.0.0.1:" + port;
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                    .until(() -> LocalStackIT.send(HttpRequest.newBuilder(URI.create(gw + "/healthz")).GET())
                            .statusCode() == 200);
            int compared = 0;
            for (var service : PORTS.entrySet()) {
                JsonNode openapi = JSON.readTree(get(service.getValue(), "/q/openapi?format=json"));
                for (var it = openapi.path("paths").fields(); it.hasNext();) {
                    var path = it.next();
                    if (!path.getValue().has("get") || path.getKey().endsWith("/stream")) {
                        continue;
                    }
                    String concrete = path.getKey().replaceAll("\\{[^}]+}", "gateway-probe");
                    HttpResponse<String> direct = LocalStackIT.send(HttpRequest.newBuilder(URI.create(
                            "http://127.0.0.1:" + (service.getValue() + offset) + concrete))
                            .header("Authorization", "Bearer " + token).GET());
                    HttpResponse<String> proxied = LocalStackIT.send(HttpRequest.newBuilder(URI.create(gw + concrete))
                            .header("Authorization", "Bearer " + token).GET());
                    assertThat(proxied.statusCode()).as("GET " + concrete + " through the gateway, as "
                            + service.getKey() + " answers it: " + proxied.body()).isEqualTo(direct.statusCode());
                    assertThat(proxied.headers().firstValue("Content-Type"))
                            .isEqualTo(direct.headers().firstValue("Content-Type"));
                    compared++;
                }
            }
            assertThat(compared).as("GET paths compared").isGreaterThan(10);

            // a device's heartbeat through the gateway, with its API token
            String deviceToken = create("http://127.0.0.1:" + (8081 + offset), token,
                    "{\"id\":\"gateway-meter\",\"name\":\"Through the gateway\",\"protocol\":\"HTTP\"}");
            HttpRequest.Builder post = HttpRequest.newBuilder(URI.create(gw + "/api/v1/heartbeats"))
                    .header("Authorization", "Bearer " + deviceToken).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"status\":\"alive\"}"));
            // accepted once ingest has the new device's view, a moment after the registry's answer
            HttpResponse<String> beat = await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                    .until(() -> LocalStackIT.send(post), r -> r.statusCode() != 401);
            assertThat(beat.statusCode()).as(beat.body()).isEqualTo(200);
            assertThat(JSON.readTree(beat.body()).path("accepted").asBoolean()).isTrue();

            // the live stream opens through it (headers at once, events unbuffered)
            HttpResponse<java.io.InputStream> stream = java.net.http.HttpClient.newHttpClient().sendAsync(
                    HttpRequest.newBuilder(URI.create(gw + "/api/v1/status/stream"))
                            .header("Authorization", "Bearer " + token).header("Accept", "text/event-stream").GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream()).get(20, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(stream.statusCode()).isEqualTo(200);
            assertThat(stream.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
            stream.body().close();

            HttpResponse<String> nowhere = LocalStackIT.send(HttpRequest.newBuilder(URI.create(gw + "/api/v2/nothing"))
                    .GET());
            assertThat(nowhere.statusCode()).isEqualTo(404);
            assertThat(JSON.readTree(nowhere.body()).path("type").asText()).isEqualTo("/problems/not-found");
            System.out.println("DeploymentMetricsIT: nginx " + nginx + " ran the gateway; " + compared
                    + " GET paths answered through it as directly");
        } finally {
            gateway.destroy();
            gateway.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    /**
     * Enough traffic for the lazily registered meters: a device, an accepted and a refused heartbeat, unauthenticated
     * ones beyond the recorded limit, a reconnect command, and an MQTT device acknowledging a command.
     */
    void traffic(String token) throws Exception {
        String registry = "http://127.0.0.1:" + (8081 + offset);
        String ingest = "http://127.0.0.1:" + (8082 + offset);
        String commands = "http://127.0.0.1:" + (8084 + offset);
        String monitor = "http://127.0.0.1:" + (8083 + offset);
        String meterToken = create(registry, token, "{\"id\":\"meter-0001\",\"name\":\"Meter\",\"protocol\":\"HTTP\","
                + "\"remoteControlEnabled\":true}");
        HttpRequest.Builder beat = HttpRequest.newBuilder(URI.create(ingest + "/api/v1/heartbeats"))
                .header("Authorization", "Bearer " + meterToken).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"status\":\"alive\",\"heart_rate\":190}"));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> LocalStackIT.send(beat).statusCode(), c -> c == 200);
        assertThat(LocalStackIT.send(beat).statusCode()).as("too soon: refused").isEqualTo(429);
        // more unauthenticated requests from one address than become heartbeats.rejected records (10 a minute)
        for (int i = 0; i < 12; i++) {
            LocalStackIT.send(HttpRequest.newBuilder(URI.create(ingest + "/api/v1/heartbeats"))
                    .header("Authorization", "Bearer wrong-token-" + i).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"status\":\"alive\"}")));
        }
        HttpResponse<String> reconnect = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> LocalStackIT.send(json(commands + "/api/v1/commands", token,
                        "{\"deviceId\":\"meter-0001\",\"name\":\"reconnect\"}")), r -> r.statusCode() != 404);
        assertThat(reconnect.statusCode()).as(reconnect.body()).isEqualTo(201);

        String sensorToken = create(registry, token, "{\"id\":\"sensor-0001\",\"name\":\"Sensor\",\"protocol\":\"MQTT\","
                + "\"remoteControlEnabled\":true}");
        MqttClient sensor = new MqttClient("tcp://127.0.0.1:" + (1883 + offset), "sensor-0001", new MemoryPersistence());
        MqttConnectOptions credentials = new MqttConnectOptions();
        credentials.setUserName("sensor-0001");
        credentials.setPassword(sensorToken.toCharArray());
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
            sensor.connect(credentials);
            return true;
        });
        try {
            sensor.subscribe("devices/sensor-0001/commands", 1, (topic, message) -> {
                String id = JSON.readTree(message.getPayload()).path("command_id").asText();
                sensor.publish("devices/sensor-0001/status", ("{\"command_id\":\"" + id + "\",\"status\":\"ok\"}")
                        .getBytes(StandardCharsets.UTF_8), 1, false);
            });
            sensor.publish("devices/sensor-0001/heartbeat", "{\"status\":\"alive\"}".getBytes(StandardCharsets.UTF_8), 1,
                    false);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                    .until(() -> LocalStackIT.send(HttpRequest.newBuilder(URI.create(monitor
                            + "/api/v1/status/devices/sensor-0001")).header("Authorization", "Bearer " + token).GET())
                            .body().contains("\"state\":\"CONNECTED\""));
            HttpResponse<String> ping = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                    .until(() -> LocalStackIT.send(json(commands + "/api/v1/commands", token,
                            "{\"deviceId\":\"sensor-0001\",\"name\":\"ping\"}")), r -> r.statusCode() == 201);
            String id = JSON.readTree(ping.body()).path("id").asText();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                    .until(() -> LocalStackIT.send(HttpRequest.newBuilder(URI.create(commands + "/api/v1/commands/" + id))
                            .header("Authorization", "Bearer " + token).GET()).body()
                            .contains("\"status\":\"SUCCEEDED\""));
        } finally {
            sensor.disconnect();
            sensor.close();
        }
    }

    static String create(String registry, String token, String body) throws Exception {
        HttpResponse<String> created = LocalStackIT.send(json(registry + "/api/v1/devices", token, body));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return JSON.readTree(created.body()).path("apiToken").asText();
    }

    static HttpRequest.Builder json(String url, String token, String body) {
        return HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    }

    String get(int port, String path) throws Exception {
        HttpResponse<String> r = LocalStackIT.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + (port + offset) + path)).GET());
        assertThat(r.statusCode()).as(path).isEqualTo(200);
        return r.body();
    }

    /** Metric names of a Prometheus text exposition. */
    static Set<String> metricNames(String exposition) {
        Set<String> names = new TreeSet<>();
        for (String line : exposition.split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                names.add(line.split("[{ ]", 2)[0]);
            }
        }
        return names;
    }

    /** Every metric name in the PromQL of the dashboards (panels and variables), with where it is used. */
    static Map<String, String> dashboardMetrics() throws Exception {
        Map<String, String> used = new TreeMap<>();
        try (Stream<Path> files = Files.list(LocalStackIT.ROOT.resolve("deploy/docker/grafana/dashboards"))) {
            for (Path f : files.sorted().toList()) {
                JsonNode dashboard = JSON.readTree(f.toFile());
                for (JsonNode panel : dashboard.path("panels")) {
                    for (JsonNode target : panel.path("targets")) {
                        if (target.has("expr")) {
                            for (String m : metricsOf(target.get("expr").asText())) {
                                used.putIfAbsent(m, f.getFileName() + ": " + panel.path("title").asText());
                            }
                        }
                    }
                }
                for (JsonNode v : dashboard.path("templating").path("list")) {
                    if (v.path("datasource").path("type").asText().equals("prometheus")) {
                        // label_values(metric, label): the second argument is a label
                        String query = v.path("query").path("query").asText()
                                .replaceAll("label_values\\(\\s*([^,)]*),[^)]*\\)", "$1");
                        for (String m : metricsOf(query)) {
                            used.putIfAbsent(m, f.getFileName() + ": variable " + v.path("name").asText());
                        }
                    }
                }
            }
        }
        return used;
    }

    /** The metric names of a PromQL expression: identifiers that are not functions, keywords, labels or variables. */
    static Set<String> metricsOf(String expr) {
        String s = expr.replaceAll("\"[^\"]*\"", "\"\"") // string literals
                .replaceAll("\\{[^}]*}", "") // label matchers
                .replaceAll("\\[[^]]*]", "") // ranges
                .replaceAll("\\$\\w+", "") // dashboard variables
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", ""); // label lists
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*").matcher(s);
        while (m.find()) {
            String word = m.group();
            int next = m.end();
            while (next < s.length() && s.charAt(next) == ' ') {
                next++;
            }
            boolean function = next < s.length() && s.charAt(next) == '(';
            if (!function && !PROMQL_WORDS.contains(word.toLowerCase())) {
                names.add(word);
            }
        }
        return names;
    }

    /** nginx.conf's API locations: prefix to "upstream host:port". */
    static Map<String, String> nginxRoutes() throws Exception {
        String conf = Files.readString(LocalStackIT.ROOT.resolve("deploy/docker/gateway/nginx.conf"));
        Map<String, String> upstreams = new LinkedHashMap<>();
        Matcher u = Pattern.compile("upstream\\s+(\\S+)\\s*\\{\\s*server\\s+([^;\\s]+);").matcher(conf);
        while (u.find()) {
            upstreams.put(u.group(1), u.group(2));
        }
        Map<String, String> routes = new TreeMap<>();
        Matcher l = Pattern.compile("location\\s+(/api/\\S+)\\s*\\{([^}]*)\\}").matcher(conf);
        while (l.find()) {
            Matcher pass = Pattern.compile("proxy_pass\\s+http://([^;/\\s]+)").matcher(l.group(2));
            assertThat(pass.find()).as("location " + l.group(1) + " proxies").isTrue();
            routes.put(l.group(1), upstreams.get(pass.group(1)));
        }
        return routes;
    }

    /** nginx's choice among prefix locations: the longest prefix of the path. */
    static String longestPrefix(Set<String> prefixes, String path) {
        return prefixes.stream().filter(path::startsWith).max((a, b) -> a.length() - b.length()).orElse(null);
    }

    static List<String> sorted(Set<String> s) {
        return List.copyOf(new TreeSet<>(s));
    }
}
