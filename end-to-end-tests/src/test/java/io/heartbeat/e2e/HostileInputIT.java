package io.heartbeat.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.heartbeat.contracts.Topics;
import io.heartbeat.localstack.Dirs;
import io.heartbeat.localstack.test.TopicReader;

/**
 * The packaged platform under hostile input, as an attacker with one tenant's operator token and one device's
 * credential would send it: thousands of malformed, oversized, deeply nested, mistyped and mis-encoded HTTP requests
 * to every endpoint of the four services, and hundreds of such MQTT messages on every device topic. Afterwards no
 * answer was a 5xx, every HTTP error was problem JSON, every MQTT heartbeat and data message was accepted or has its
 * rejection record, every service is still ready, and valid traffic right after is accepted end to end.
 */
class HostileInputIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String DEEP = "[".repeat(5_000) + "]".repeat(5_000);
    static final String DEEP_OBJECT = "{\"a\":".repeat(1_000) + "1" + "}".repeat(1_000);

    final Path dataDir = Dirs.temp("e2e-hostile-");
    final int offset = LocalStackIT.freeOffset();
    Process stack;

    /** One request of the run, and where it goes. */
    record Request(String service, int port, String method, String target, Map<String, String> headers,
            byte[] body, String what) {
    }

    @AfterEach
    void stop() throws Exception {
        LocalStackIT.stop(stack);
        Dirs.deleteRecursively(dataDir);
    }

    @Test
    void noHostileRequestOrMessageGetsA5xxStallsAPipelineOrIsDropped() throws Exception {
        LocalStackIT.Ready launched = LocalStackIT.startReady(dataDir, offset);
        stack = launched.process();
        String table = launched.table();
        String admin = LocalStackIT.token(table);
        int registry = 8081 + offset;
        int ingest = 8082 + offset;
        int monitor = 8083 + offset;
        int command = 8084 + offset;

        String hostileToken = createDevice(registry, admin, "hostile-dev", "MQTT");
        String httpToken = createDevice(registry, admin, "hostile-http", "HTTP");
        String afterHttpToken = createDevice(registry, admin, "after-http", "HTTP");
        String afterMqttToken = createDevice(registry, admin, "after-mqtt", "MQTT");
        // ingest knows the devices once a heartbeat is not a 401
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> RawHttp.send(ingest, "POST", "/api/v1/heartbeats", deviceHeaders(httpToken),
                        "{\"status\":\"alive\"}".getBytes(StandardCharsets.UTF_8)).status() != 401);

        // --- HTTP ---------------------------------------------------------------------------------------------
        List<Request> requests = requests(registry, ingest, monitor, command, admin, httpToken);
        assertThat(requests).hasSizeGreaterThanOrEqualTo(2_000);
        Map<Integer, Integer> byStatus = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        for (Request r : requests) {
            RawHttp.Answer a;
            try {
                a = RawHttp.send(r.port(), r.method(), r.target(), r.headers(), r.body());
            } catch (Exception e) {
                failures.add(r.service() + " " + r.what() + ": no answer: " + e.getMessage());
                continue;
            }
            byStatus.merge(a.status(), 1, Integer::sum);
            String problem = problemJson(a);
            if (a.status() >= 500) {
                failures.add(r.service() + " " + r.what() + ": " + a.status() + " " + abbreviate(a.body()));
            } else if (a.status() >= 400 && problem != null) {
                failures.add(r.service() + " " + r.what() + ": " + a.status() + " " + problem + " "
                        + abbreviate(a.body()));
            }
        }
        System.out.println("hostile HTTP requests: " + requests.size() + ", answers per status: " + byStatus);

        // --- MQTT ---------------------------------------------------------------------------------------------
        int mqttPort = 1883 + offset;
        MqttClient device = connect(mqttPort, "hostile-dev", hostileToken);
        int telemetryMessages = 0;
        int statusMessages = 0;
        for (String topic : List.of("heartbeat", "data", "status")) {
            for (byte[] payload : mqttPayloads(topic)) {
                if (!device.isConnected()) {
                    device = connect(mqttPort, "hostile-dev", hostileToken);
                }
                device.publish("devices/hostile-dev/" + topic, payload, 1, false);
                if (topic.equals("status")) {
                    statusMessages++;
                } else {
                    telemetryMessages++;
                }
            }
        }
        device.disconnect();
        device.close();
        System.out.println("hostile MQTT messages: " + telemetryMessages + " heartbeat/data, " + statusMessages
                + " status");
        assertThat(telemetryMessages + statusMessages).isGreaterThanOrEqualTo(500);
        // ingest acknowledges a message only once Kafka has its heartbeat or its rejection record
        String kafka = "127.0.0.1:" + (9092 + offset);
        int accepted = TopicReader.read(kafka, Topics.HEARTBEATS, r -> "hostile-dev".equals(r.key()),
                telemetryMessages, Duration.ofSeconds(5)).size();
        int rejected = TopicReader.read(kafka, Topics.HEARTBEATS_REJECTED, r -> "hostile-dev".equals(r.key()),
                telemetryMessages, Duration.ofSeconds(20)).size();
        System.out.println("of them accepted " + accepted + ", rejected with a record " + rejected);
        if (accepted + rejected < telemetryMessages) {
            String metrics = RawHttp.send(ingest, "GET", "/q/metrics", Map.of(), null).body();
            metrics.lines().filter(l -> l.startsWith("ingest_heartbeats") || l.startsWith("ingest_intake")
                    || l.startsWith("ingest_rejections")).forEach(System.out::println);
            Map<String, Integer> reasons = new TreeMap<>();
            TopicReader.read(kafka, Topics.HEARTBEATS_REJECTED, r -> true, 100_000, Duration.ofSeconds(5))
                    .forEach(r -> reasons.merge(r.key() + " " + r.value().replaceAll(".*\"reason\":\"([A-Z_]+)\".*", "$1"),
                            1, Integer::sum));
            System.out.println("rejection records by key and reason: " + reasons);
            failures.add("MQTT: " + telemetryMessages + " heartbeat/data messages, but only " + accepted
                    + " accepted and " + rejected + " rejection records");
        }

        // --- afterwards: every service ready, valid traffic accepted -------------------------------------------
        for (int port : List.of(registry, ingest, monitor, command)) {
            RawHttp.Answer ready = RawHttp.send(port, "GET", "/q/health/ready", Map.of(), null);
            if (ready.status() != 200) {
                failures.add("port " + port + " not ready after the run: " + ready.status() + " " + ready.body());
            }
        }
        if (!failures.isEmpty()) {
            throw new AssertionError(failures.size() + " failures; the first ones:\n"
                    + String.join("\n", failures.subList(0, Math.min(40, failures.size()))));
        }

        RawHttp.Answer beat = RawHttp.send(ingest, "POST", "/api/v1/heartbeats", deviceHeaders(afterHttpToken),
                "{\"status\":\"alive\",\"voltage\":229.8}".getBytes(StandardCharsets.UTF_8));
        assertThat(beat.status()).as(beat.body()).isEqualTo(200);
        BlockingQueue<String> commands = new ArrayBlockingQueue<>(10);
        MqttClient after = connect(mqttPort, "after-mqtt", afterMqttToken);
        after.subscribe("devices/after-mqtt/commands", 1,
                (t, m) -> commands.add(new String(m.getPayload(), StandardCharsets.UTF_8)));
        after.publish("devices/after-mqtt/heartbeat", "{\"status\":\"alive\"}".getBytes(StandardCharsets.UTF_8), 1,
                false);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> RawHttp.send(monitor, "GET", "/api/v1/status/devices/after-mqtt", userHeaders(admin), null)
                        .body().contains("\"state\":\"CONNECTED\""));
        RawHttp.Answer created = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> RawHttp.send(command, "POST", "/api/v1/commands", jsonHeaders(admin),
                        "{\"deviceId\":\"after-mqtt\",\"name\":\"ping\"}".getBytes(StandardCharsets.UTF_8)),
                        a -> a.status() == 201);
        String commandId = JSON.readTree(created.body()).get("id").asText();
        String received = commands.poll(30, TimeUnit.SECONDS);
        assertThat(received).as("the command reached the device").contains(commandId);
        after.publish("devices/after-mqtt/status", ("{\"command_id\":\"" + commandId + "\",\"status\":\"ok\"}")
                .getBytes(StandardCharsets.UTF_8), 1, false);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> RawHttp.send(command, "GET", "/api/v1/commands/" + commandId, userHeaders(admin), null)
                        .body().contains("\"status\":\"SUCCEEDED\""));
        after.disconnect();
        after.close();
    }

    // --- the hostile HTTP requests ------------------------------------------------------------------------------

    List<Request> requests(int registry, int ingest, int monitor, int command, String admin, String deviceToken) {
        List<Request> out = new ArrayList<>();
        // body endpoints with a valid template body each
        record BodyEndpoint(String service, int port, String method, String path, String template, boolean device) {
        }
        List<BodyEndpoint> bodies = List.of(
                new BodyEndpoint("registry", registry, "POST", "/api/v1/devices",
                        "{\"id\":\"hx-1\",\"name\":\"n\",\"protocol\":\"HTTP\",\"profileId\":\"default\","
                                + "\"protocolConfig\":{\"healthUrl\":\"http://127.0.0.1:1/health\"},"
                                + "\"metadata\":{\"k\":\"v\"},\"firmwareVersion\":\"1\",\"enabled\":true}",
                        false),
                new BodyEndpoint("registry", registry, "PATCH", "/api/v1/devices/hostile-http",
                        "{\"name\":\"n\",\"enabled\":true,\"metadata\":{\"k\":\"v\"},\"firmwareVersion\":\"2\"}", false),
                new BodyEndpoint("registry", registry, "POST", "/api/v1/devices/hostile-http/jwt",
                        "{\"lifetimeSeconds\":3600}", false),
                new BodyEndpoint("registry", registry, "POST", "/api/v1/profiles",
                        "{\"id\":\"px\",\"name\":\"n\",\"description\":\"d\",\"thresholds\":{\"heartbeatIntervalSeconds\":30,"
                                + "\"connectedWithinSeconds\":40,\"disconnectedAfterSeconds\":300,"
                                + "\"minHeartbeatSpacingSeconds\":10,\"maxHeartbeatsPerMinute\":10}}",
                        false),
                new BodyEndpoint("registry", registry, "PATCH", "/api/v1/profiles/default",
                        "{\"name\":\"n\",\"description\":\"d\"}", false),
                new BodyEndpoint("ingest", ingest, "POST", "/api/v1/heartbeats",
                        "{\"status\":\"alive\",\"device_id\":\"hostile-http\",\"timestamp\":\"" + Instant.now()
                                + "\",\"voltage\":229.8,\"heart_rate\":72,\"relay\":\"on\"}",
                        true),
                new BodyEndpoint("monitor", monitor, "POST", "/api/v1/probes/results",
                        "{\"deviceId\":\"hostile-http\",\"success\":true,\"source\":\"s\",\"responseTimeMs\":5,"
                                + "\"error\":null,\"metadata\":{\"k\":\"v\"}}",
                        false),
                new BodyEndpoint("monitor", monitor, "POST", "/api/v1/scenarios",
                        "{\"name\":\"s\",\"description\":\"d\",\"flowType\":\"HEARTBEAT_FRESHNESS\","
                                + "\"deviceIds\":[\"hostile-http\"],\"timeoutMs\":1000,\"retries\":1}",
                        false),
                new BodyEndpoint("command", command, "POST", "/api/v1/commands",
                        "{\"deviceId\":\"hostile-dev\",\"name\":\"ping\",\"payload\":{\"k\":\"v\"},\"ttl\":\"PT1H\","
                                + "\"ackTimeout\":\"PT10S\",\"maxAttempts\":3}",
                        false),
                new BodyEndpoint("command", command, "POST", "/api/v1/schedules",
                        "{\"deviceId\":\"hostile-dev\",\"description\":\"d\",\"cron\":\"0 3 * * *\",\"timeZone\":\"UTC\","
                                + "\"command\":{\"name\":\"ping\",\"payload\":{},\"ttl\":\"PT1H\",\"ackTimeout\":\"PT10S\","
                                + "\"maxAttempts\":3},\"enabled\":false}",
                        false));
        for (BodyEndpoint e : bodies) {
            Map<String, String> headers = e.device() ? deviceHeaders(deviceToken) : jsonHeaders(admin);
            String where = e.method() + " " + e.path();
            for (Map.Entry<String, byte[]> bad : badBodies(e.template()).entrySet()) {
                out.add(new Request(e.service(), e.port(), e.method(), e.path(), headers, bad.getValue(),
                        where + " body " + bad.getKey()));
            }
            for (String contentType : List.of("text/plain", "application/xml", "application/json; charset=utf-16",
                    "multipart/form-data; boundary=x", "application/x-www-form-urlencoded")) {
                Map<String, String> h = new LinkedHashMap<>(headers);
                h.put("Content-Type", contentType);
                out.add(new Request(e.service(), e.port(), e.method(), e.path(), h,
                        e.template().getBytes(StandardCharsets.UTF_8), where + " as " + contentType));
            }
            Map<String, String> noType = new LinkedHashMap<>(headers);
            noType.remove("Content-Type");
            out.add(new Request(e.service(), e.port(), e.method(), e.path(), noType,
                    e.template().getBytes(StandardCharsets.UTF_8), where + " without a content type"));
            for (Map.Entry<String, String> auth : badAuth().entrySet()) {
                Map<String, String> h = new LinkedHashMap<>(headers);
                h.put("Authorization", auth.getValue());
                out.add(new Request(e.service(), e.port(), e.method(), e.path(), h,
                        e.template().getBytes(StandardCharsets.UTF_8), where + " with " + auth.getKey()));
            }
        }
        // reads with query parameters
        record Read(String service, int port, String path) {
        }
        List<Read> reads = List.of(new Read("registry", registry, "/api/v1/devices"),
                new Read("registry", registry, "/api/v1/profiles"), new Read("registry", registry, "/api/v1/audit"),
                new Read("ingest", ingest, "/api/v1/heartbeats/hostile-http"),
                new Read("monitor", monitor, "/api/v1/status/devices"),
                new Read("monitor", monitor, "/api/v1/status/counts"),
                new Read("monitor", monitor, "/api/v1/status/devices/hostile-http/transitions"),
                new Read("monitor", monitor, "/api/v1/scenarios"), new Read("command", command, "/api/v1/commands"),
                new Read("command", command, "/api/v1/schedules"));
        for (Read r : reads) {
            for (String query : badQueries()) {
                out.add(new Request(r.service(), r.port(), "GET", r.path() + query, userHeaders(admin), null,
                        "GET " + r.path() + query.substring(0, Math.min(60, query.length()))));
            }
            for (Map.Entry<String, String> auth : badAuth().entrySet()) {
                out.add(new Request(r.service(), r.port(), "GET", r.path(), Map.of("Authorization", auth.getValue()),
                        null, "GET " + r.path() + " with " + auth.getKey()));
            }
        }
        // path ids on every verb that takes one
        record ById(String service, int port, String method, String pattern) {
        }
        List<ById> byId = List.of(new ById("registry", registry, "GET", "/api/v1/devices/%s"),
                new ById("registry", registry, "PATCH", "/api/v1/devices/%s"),
                new ById("registry", registry, "DELETE", "/api/v1/devices/%s"),
                new ById("registry", registry, "POST", "/api/v1/devices/%s/token"),
                new ById("registry", registry, "POST", "/api/v1/devices/%s/jwt"),
                new ById("registry", registry, "GET", "/api/v1/profiles/%s"),
                new ById("registry", registry, "DELETE", "/api/v1/profiles/%s"),
                new ById("ingest", ingest, "GET", "/api/v1/heartbeats/%s"),
                new ById("monitor", monitor, "GET", "/api/v1/status/devices/%s"),
                new ById("monitor", monitor, "GET", "/api/v1/status/devices/%s/transitions"),
                new ById("monitor", monitor, "GET", "/api/v1/scenarios/%s"),
                new ById("monitor", monitor, "DELETE", "/api/v1/scenarios/%s"),
                new ById("monitor", monitor, "POST", "/api/v1/scenarios/%s/runs"),
                new ById("command", command, "GET", "/api/v1/commands/%s"),
                new ById("command", command, "GET", "/api/v1/commands/%s/transitions"),
                new ById("command", command, "POST", "/api/v1/commands/%s/cancel"),
                new ById("command", command, "POST", "/api/v1/commands/%s/replay"),
                new ById("command", command, "GET", "/api/v1/schedules/%s"),
                new ById("command", command, "PUT", "/api/v1/schedules/%s"),
                new ById("command", command, "DELETE", "/api/v1/schedules/%s"));
        for (ById b : byId) {
            for (String id : badIds()) {
                String target = b.pattern().formatted(id);
                byte[] body = b.method().equals("GET") || b.method().equals("DELETE") ? null
                        : "{}".getBytes(StandardCharsets.UTF_8);
                out.add(new Request(b.service(), b.port(), b.method(), target, jsonHeaders(admin), body,
                        b.method() + " " + target.substring(0, Math.min(80, target.length()))));
            }
        }
        return out;
    }

    /** Malformed documents, and the template with each of its top-level fields replaced by hostile values. */
    static Map<String, byte[]> badBodies(String template) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        String[] structural = { "", "{", "}", "[", "{\"a\":}", "nul", "null", "[]", "\"x\"", "1", "true",
                "{\"a\":1,}", "{'a':1}", "{\"a\" 1}", DEEP, DEEP_OBJECT, template + "garbage",
                template.replaceFirst("\\{", "{\"x\":1,\"x\":2,"), template.replaceFirst("\\{", "{\"\\u0000\":1,"),
                template.replaceFirst("\\{", "{\"\\ud800\":1,"), "{\"" + "k".repeat(70_000) + "\":1}" };
        for (int i = 0; i < structural.length; i++) {
            out.put("structural-" + i, structural[i].getBytes(StandardCharsets.UTF_8));
        }
        out.put("bom", concat(new byte[] { (byte) 0xEF, (byte) 0xBB, (byte) 0xBF },
                template.getBytes(StandardCharsets.UTF_8)));
        out.put("invalid-utf8", concat(template.substring(0, template.length() - 1).getBytes(StandardCharsets.UTF_8),
                new byte[] { ',', '"', 'x', '"', ':', '"', (byte) 0xFF, (byte) 0xFE, '"', '}' }));
        out.put("over-2MB", (" ".repeat(2 * 1024 * 1024) + template).getBytes(StandardCharsets.UTF_8));
        JsonNode tree;
        try {
            tree = JSON.readTree(template);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        String[] values = { "null", "true", "0", "-1", "2147483648", "99999999999999999999999", "1e309", "-0.0",
                "\"\"", "\"   \"", "\"\\u0000\"", "\"a\\u0000b\"", "\"\\ud800\"", "\"x\\udfffy\"", "\"\\ud83d\\udca5\"",
                "\"PT9999999999999999S\"", "\"-PT1S\"", "\"P99999999D\"", "\"9999-99-99T99:99:99Z\"",
                "\"" + "x".repeat(300_000) + "\"", "\"" + "y".repeat(5_000) + "\"", "[]", "[null]", "[1,2,3]",
                "{}", "{\"k\":{\"k\":{\"k\":{\"k\":{\"k\":{\"k\":{\"k\":{\"k\":{\"k\":{\"k\":1}}}}}}}}}}", DEEP,
                "\"<script>alert(1)</script>\"", "\"../../etc/passwd\"", "\"%00\"" };
        var names = tree.fieldNames();
        while (names.hasNext()) {
            String field = names.next();
            for (int v = 0; v < values.length; v++) {
                String body = replaceField(template, field, values[v]);
                out.put(field + "=" + v, body.getBytes(StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    /** {@code template} with the value of top-level {@code field} replaced by the raw JSON {@code value}. */
    static String replaceField(String template, String field, String value) {
        try {
            var node = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(template);
            node.put(field, "\u0001PLACEHOLDER\u0001");
            return JSON.writeValueAsString(node).replace("\"\\u0001PLACEHOLDER\\u0001\"", value);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> badQueries() {
        return List.of("?page=-1", "?page=4294968&size=500", "?page=abc", "?page=99999999999999999999", "?size=0",
                "?size=1000000", "?size=1.5", "?size=-3", "?since=notadate", "?since=%00", "?since=9999-99-99",
                "?from=x&to=y", "?limit=-5", "?limit=abc", "?q=%00", "?q=%zz", "?q=%", "?q=%E0%A4%A",
                "?state=NOPE", "?protocol=%ff", "?enabled=maybe", "?deviceId=%00", "?status=%00%00",
                "?tenantId=" + "t".repeat(3_000), "?x=" + "x".repeat(9_000), "?page=1&page=2&page=x",
                "?changedSince=-1", "?profileId=%2e%2e%2f", "?q=" + "%F0%9F%92%A5".repeat(50));
    }

    static List<String> badIds() {
        return List.of("%00", "a%00b", "%zz", "%", "x".repeat(3_000), "..%2F..%2Fetc", "%F0%9F%92%A5", "%ff%fe",
                "%20", "null", "-1", "%ED%A0%80", "a;b=c", "%252e");
    }

    static Map<String, String> badAuth() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("garbage bearer", "Bearer garbage");
        m.put("basic", "Basic dXNlcjpwYXNz");
        m.put("empty bearer", "Bearer ");
        m.put("huge bearer", "Bearer " + "a.b.".repeat(2_000));
        m.put("forged jwt", "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.");
        return m;
    }

    // --- the hostile MQTT messages ------------------------------------------------------------------------------

    static List<byte[]> mqttPayloads(String topic) {
        String template = topic.equals("status") ? "{\"command_id\":\"00000000-0000-0000-0000-000000000000\","
                + "\"status\":\"ok\",\"result\":{\"k\":\"v\"}}"
                : "{\"status\":\"alive\",\"device_id\":\"hostile-dev\",\"timestamp\":\"" + Instant.now()
                        + "\",\"voltage\":229.8,\"current\":0.42,\"power\":96.5,\"heart_rate\":72,\"relay\":\"on\"}";
        List<byte[]> out = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : badBodies(template).entrySet()) {
            // the broker's maximum packet is 256 KiB: bigger ones would only cost the connection
            if (e.getValue().length <= 200 * 1024) {
                out.add(e.getValue());
            }
        }
        if (!topic.equals("status")) {
            // credentials in the body (seed 001) are still checked: hostile ones too
            for (Map.Entry<String, byte[]> e : badBodies("{\"status\":\"alive\",\"jwt_token\":\"x\",\"api_token\":\"y\"}")
                    .entrySet()) {
                if ((e.getKey().startsWith("jwt_token") || e.getKey().startsWith("api_token"))
                        && e.getValue().length <= 200 * 1024) {
                    out.add(e.getValue());
                }
            }
        }
        out.add(new byte[0]);
        out.add(new byte[] { (byte) 0xC3, (byte) 0x28 });
        out.add(("{\"api\\u005ftoken\":\"" + "t".repeat(64) + "\"}").getBytes(StandardCharsets.UTF_8));
        out.add(("{\"jwt_token\":\"" + "a".repeat(5_000) + ".b.c\"}").getBytes(StandardCharsets.UTF_8));
        out.add(("{\"status\":\"" + "x".repeat(150 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8));
        return out;
    }

    // --- helpers ------------------------------------------------------------------------------------------------

    /** Null if the answer is RFC 9457 problem JSON with type, title and a status equal to the HTTP status. */
    static String problemJson(RawHttp.Answer a) {
        if (!a.contentType().startsWith("application/problem+json")) {
            return "not problem JSON (" + a.contentType() + ")";
        }
        try {
            JsonNode p = JSON.readTree(a.body());
            if (!p.hasNonNull("type") || !p.hasNonNull("title") || p.path("status").asInt() != a.status()) {
                return "problem JSON without type, title or the right status";
            }
            return null;
        } catch (Exception e) {
            return "unreadable problem JSON";
        }
    }

    String createDevice(int registry, String admin, String id, String protocol) throws Exception {
        RawHttp.Answer a = RawHttp.send(registry, "POST", "/api/v1/devices", jsonHeaders(admin),
                ("{\"id\":\"" + id + "\",\"name\":\"" + id + "\",\"protocol\":\"" + protocol
                        + "\",\"remoteControlEnabled\":true}").getBytes(StandardCharsets.UTF_8));
        assertThat(a.status()).as(a.body()).isEqualTo(201);
        return JSON.readTree(a.body()).get("apiToken").asText();
    }

    static MqttClient connect(int port, String id, String token) throws Exception {
        MqttClient c = new MqttClient("tcp://127.0.0.1:" + port, id, new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setUserName(id);
        o.setPassword(token.toCharArray());
        o.setMaxInflight(1000);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
            c.connect(o);
            return true;
        });
        return c;
    }

    static Map<String, String> jsonHeaders(String token) {
        return Map.of("Authorization", "Bearer " + token, "Content-Type", "application/json");
    }

    static Map<String, String> userHeaders(String token) {
        return Map.of("Authorization", "Bearer " + token);
    }

    static Map<String, String> deviceHeaders(String deviceToken) {
        return Map.of("Authorization", "Bearer " + deviceToken, "Content-Type", "application/json");
    }

    static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }

    static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
