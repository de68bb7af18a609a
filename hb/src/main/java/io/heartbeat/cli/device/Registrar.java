package io.heartbeat.cli.device;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.heartbeat.cli.config.Service;
import io.heartbeat.cli.http.Api;
import io.heartbeat.cli.http.ApiException;
import io.heartbeat.cli.http.Json;
import io.heartbeat.cli.http.Problem;

/**
 * Registers the simulator's devices through the registry's batch endpoint, {@value #BATCH_SIZE} at a time (the
 * registry's default {@code max-batch-size}), and reuses a device that exists already: its token is rotated (the only
 * way to learn a token again) and its profile and protocol set to the run's. A batch with taken ids is refused whole
 * (409 device-exists, its errors naming each such item); those devices are reused and the rest sent again.
 */
final class Registrar {

    /** Devices per batch registration. */
    static final int BATCH_SIZE = 1000;

    private static final Pattern ITEM = Pattern.compile("devices\\[(\\d+)]\\.id");

    /** A registered device and its API token. */
    record Registered(String id, String token, boolean http, boolean reused) {
    }

    /** A device to register: its id and whether it talks HTTP. */
    private record Wanted(String id, boolean http) {
    }

    private final Api api;
    private final int parallel;
    private final int batchSize;

    Registrar(Api api, int parallel) {
        this(api, parallel, BATCH_SIZE);
    }

    Registrar(Api api, int parallel, int batchSize) {
        this.api = api;
        this.parallel = parallel;
        this.batchSize = batchSize;
    }

    /** The devices in the order of {@code ids}. */
    List<Registered> register(List<String> ids, List<Boolean> http, String profile, String tenant) throws Exception {
        Map<String, Registered> done = new HashMap<>();
        for (int from = 0; from < ids.size(); from += batchSize) {
            List<Wanted> chunk = new ArrayList<>();
            for (int i = from; i < Math.min(ids.size(), from + batchSize); i++) {
                chunk.add(new Wanted(ids.get(i), http.get(i)));
            }
            for (Registered r : registerBatch(chunk, profile, tenant)) {
                done.put(r.id(), r);
            }
        }
        return ids.stream().map(done::get).toList();
    }

    /** Registers {@code chunk}, reusing the devices the registry names as existing; in no particular order. */
    private List<Registered> registerBatch(List<Wanted> chunk, String profile, String tenant) throws Exception {
        List<Registered> out = new ArrayList<>();
        List<Wanted> left = chunk;
        while (!left.isEmpty()) {
            ArrayNode devices = Json.MAPPER.createArrayNode();
            for (Wanted w : left) {
                ObjectNode body = devices.addObject().put("id", w.id()).put("name", "simulated " + w.id())
                        .put("protocol", w.http() ? "HTTP" : "MQTT").put("profileId", profile)
                        .put("remoteControlEnabled", true);
                if (tenant != null) {
                    body.put("tenantId", tenant);
                }
            }
            HttpResponse<String> r = join(send("POST", "/api/v1/devices/batch",
                    Json.object().set("devices", devices)));
            if (r.statusCode() == 201) {
                JsonNode created = Json.MAPPER.readTree(r.body()).path("devices");
                for (int i = 0; i < left.size(); i++) {
                    out.add(new Registered(left.get(i).id(), created.path(i).path("apiToken").asText(),
                            left.get(i).http(), false));
                }
                return out;
            }
            Problem problem = Problem.of(r.statusCode(), r.body());
            Set<Integer> taken = r.statusCode() == 409 && String.valueOf(problem.type()).endsWith("device-exists")
                    ? takenItems(problem)
                    : Set.of();
            if (taken.isEmpty()) {
                throw ApiException.of(problem);
            }
            List<Wanted> existing = new ArrayList<>();
            List<Wanted> rest = new ArrayList<>();
            for (int i = 0; i < left.size(); i++) {
                (taken.contains(i) ? existing : rest).add(left.get(i));
            }
            out.addAll(reuse(existing, profile));
            left = rest;
        }
        return out;
    }

    /** The indexes of the items a device-exists problem names ({@code devices[3].id}). */
    static Set<Integer> takenItems(Problem problem) {
        Set<Integer> taken = new HashSet<>();
        for (Problem.FieldError e : problem.errors()) {
            Matcher m = ITEM.matcher(String.valueOf(e.field()));
            if (m.matches()) {
                taken.add(Integer.parseInt(m.group(1)));
            }
        }
        return taken;
    }

    /** Sets existing devices to the run's profile and protocol and rotates their tokens, many requests at a time. */
    private List<Registered> reuse(List<Wanted> existing, String profile) throws Exception {
        Semaphore window = new Semaphore(parallel);
        List<CompletableFuture<Registered>> all = new ArrayList<>();
        for (Wanted w : existing) {
            ObjectNode patch = Json.object().put("profileId", profile).put("protocol", w.http() ? "HTTP" : "MQTT")
                    .put("remoteControlEnabled", true).put("enabled", true);
            window.acquire();
            all.add(send("PATCH", "/api/v1/devices/" + w.id(), patch).thenCompose(p -> {
                check(p, 200);
                return send("POST", "/api/v1/devices/" + w.id() + "/token", null);
            }).thenApply(t -> {
                check(t, 200);
                return new Registered(w.id(), token(t), w.http(), true);
            }).whenComplete((r, e) -> window.release()));
        }
        List<Registered> out = new ArrayList<>();
        for (CompletableFuture<Registered> f : all) {
            out.add(join(f));
        }
        return out;
    }

    private static <T> T join(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : e;
        }
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
