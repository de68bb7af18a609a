package io.heartbeat.cli.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.heartbeat.cli.config.HbConfig;
import io.heartbeat.cli.config.Service;
import io.heartbeat.cli.http.Api;
import io.heartbeat.cli.http.Json;

/** The registrar against a registry stand-in that answers as the real batch endpoint does. */
class RegistrarTest {

    HttpServer server;
    final Set<String> existing = ConcurrentHashMap.newKeySet();
    final List<Integer> batchSizes = Collections.synchronizedList(new ArrayList<>());
    final List<String> patched = Collections.synchronizedList(new ArrayList<>());

    Api registry() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v1/devices", this::answer);
        server.start();
        Map<Service, String> urls = new EnumMap<>(Service.class);
        for (Service s : Service.values()) {
            urls.put(s, "http://127.0.0.1:" + server.getAddress().getPort());
        }
        return new Api(new HbConfig(urls, "t", "127.0.0.1", 1883, null, (Path) null), "t", Duration.ofSeconds(5));
    }

    private void answer(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getPath();
        String method = x.getRequestMethod();
        JsonNode body = Json.MAPPER.readTree(x.getRequestBody());
        if (method.equals("POST") && path.equals("/api/v1/devices/batch")) {
            JsonNode devices = body.path("devices");
            batchSizes.add(devices.size());
            ArrayNode errors = Json.MAPPER.createArrayNode();
            for (int i = 0; i < devices.size(); i++) {
                if (existing.contains(devices.get(i).path("id").asText())) {
                    errors.addObject().put("field", "devices[" + i + "].id").put("message", "exists");
                }
            }
            if (!errors.isEmpty()) {
                ObjectNode problem = Json.object().put("type", "/problems/device-exists").put("status", 409);
                problem.set("errors", errors);
                respond(x, 409, problem);
                return;
            }
            ArrayNode created = Json.MAPPER.createArrayNode();
            for (JsonNode d : devices) {
                existing.add(d.path("id").asText());
                created.addObject().put("id", d.path("id").asText()).put("apiToken", "new-" + d.path("id").asText());
            }
            respond(x, 201, Json.object().set("devices", created));
        } else if (method.equals("PATCH")) {
            patched.add(path.substring("/api/v1/devices/".length()));
            respond(x, 200, Json.object());
        } else if (method.equals("POST") && path.endsWith("/token")) {
            String id = path.substring("/api/v1/devices/".length(), path.length() - "/token".length());
            respond(x, 200, Json.object().put("id", id).put("apiToken", "rotated-" + id));
        } else {
            respond(x, 404, Json.object());
        }
    }

    private static void respond(HttpExchange x, int status, JsonNode body) throws IOException {
        byte[] b = Json.write(body).getBytes(StandardCharsets.UTF_8);
        x.sendResponseHeaders(status, b.length);
        x.getResponseBody().write(b);
        x.close();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void registersInBatchesAndReusesTheDevicesThatExistInRequestOrder() throws Exception {
        Api api = registry();
        existing.addAll(List.of("sim-1", "sim-5"));
        List<String> ids = List.of("sim-0", "sim-1", "sim-2", "sim-3", "sim-4", "sim-5", "sim-6");
        List<Boolean> http = List.of(false, true, false, false, false, false, true);

        List<Registrar.Registered> out = new Registrar(api, 4, 3).register(ids, http, "p", null);

        assertThat(out).extracting(Registrar.Registered::id).isEqualTo(ids);
        assertThat(out).extracting(Registrar.Registered::http).isEqualTo(http);
        assertThat(out).filteredOn(Registrar.Registered::reused).extracting(Registrar.Registered::id)
                .containsExactly("sim-1", "sim-5");
        assertThat(out.get(1).token()).isEqualTo("rotated-sim-1");
        assertThat(out.get(0).token()).isEqualTo("new-sim-0");
        assertThat(patched).containsExactlyInAnyOrder("sim-1", "sim-5");
        // chunks of 3; a chunk with a taken id is sent again without it
        assertThat(batchSizes).containsExactly(3, 2, 3, 2, 1);
    }
}
