package io.heartbeat.cli.device;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.heartbeat.cli.config.Service;
import io.heartbeat.cli.http.Api;
import io.heartbeat.cli.http.ApiException;
import io.heartbeat.cli.http.Json;
import io.heartbeat.cli.http.Problem;

/**
 * Registers the simulator's devices through the registry, many requests at a time (the registry has no bulk
 * endpoint), and reuses a device that exists already: its token is rotated (the only way to learn a token again) and
 * its profile and protocol set to the run's.
 */
final class Registrar {

    /** A registered device and its API token. */
    record Registered(String id, String token, boolean http, boolean reused) {
    }

    private final Api api;
    private final int parallel;

    Registrar(Api api, int parallel) {
        this.api = api;
        this.parallel = parallel;
    }

    List<Registered> register(List<String> ids, List<Boolean> http, String profile, String tenant) throws Exception {
        Semaphore window = new Semaphore(parallel);
        List<CompletableFuture<Registered>> all = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            boolean overHttp = http.get(i);
            ObjectNode body = Json.object().put("id", id).put("name", "simulated " + id)
                    .put("protocol", overHttp ? "HTTP" : "MQTT").put("profileId", profile)
                    .put("remoteControlEnabled", true);
            if (tenant != null) {
                body.put("tenantId", tenant);
            }
            window.acquire();
            all.add(send("POST", "/api/v1/devices", body).thenCompose(r -> {
                if (r.statusCode() == 201) {
                    return CompletableFuture.completedFuture(new Registered(id, token(r), overHttp, false));
                }
                if (r.statusCode() == 409 && r.body().contains("device-exists")) {
                    ObjectNode patch = Json.object().put("profileId", profile).put("protocol", overHttp ? "HTTP"
                            : "MQTT").put("remoteControlEnabled", true).put("enabled", true);
                    return send("PATCH", "/api/v1/devices/" + id, patch).thenCompose(p -> {
                        check(p, 200);
                        return send("POST", "/api/v1/devices/" + id + "/token", null);
                    }).thenApply(t -> {
                        check(t, 200);
                        return new Registered(id, token(t), overHttp, true);
                    });
                }
                check(r, 201);
                return null;
            }).whenComplete((r, e) -> window.release()));
        }
        List<Registered> out = new ArrayList<>();
        for (CompletableFuture<Registered> f : all) {
            try {
                out.add(f.join());
            } catch (java.util.concurrent.CompletionException e) {
                throw e.getCause() instanceof RuntimeException re ? re : e;
            }
        }
        return out;
    }

    void delete(List<String> ids) throws Exception {
        Semaphore window = new Semaphore(parallel);
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (String id : ids) {
            window.acquire();
            all.add(send("DELETE", "/api/v1/devices/" + id, null).whenComplete((r, e) -> window.release()));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
    }

    private CompletableFuture<HttpResponse<String>> send(String method, String path, JsonNode body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(api.uri(Service.REGISTRY, path))
                .header("Authorization", "Bearer " + api.token()).timeout(java.time.Duration.ofSeconds(60));
        if (body != null) {
            b.header("Content-Type", method.equals("PATCH") ? "application/merge-patch+json" : "application/json");
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(Json.write(body)));
        return api.http().sendAsync(b.build(), HttpResponse.BodyHandlers.ofString())
                .exceptionally(e -> {
                    throw ApiException.unreachable("device-registry-service at "
                            + api.config().url(Service.REGISTRY) + ": " + AgentCommand.describe(e));
                });
    }

    private static void check(HttpResponse<String> r, int expected) {
        if (r.statusCode() != expected) {
            throw ApiException.of(Problem.of(r.statusCode(), r.body()));
        }
    }

    private static String token(HttpResponse<String> r) {
        try {
            return Json.MAPPER.readTree(r.body()).path("apiToken").asText();
        } catch (Exception e) {
            throw new IllegalStateException("the registry's answer has no apiToken");
        }
    }
}
