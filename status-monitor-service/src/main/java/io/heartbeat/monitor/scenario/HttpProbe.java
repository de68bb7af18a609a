package io.heartbeat.monitor.scenario;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.heartbeat.contracts.DeviceView;
import io.heartbeat.monitor.scenario.Scenarios.DeviceResult;
import io.smallrye.mutiny.Uni;

/**
 * Active probe of an HTTP device: GET on its {@code protocolConfig.healthUrl} (from the registry view), success when
 * the answer has the configured {@code expectedStatus} (any 2xx when none), retried up to {@code retries} times, each
 * attempt bounded by the scenario's timeout (or the device's {@code timeoutMs}, whichever is shorter).
 */
@ApplicationScoped
public class HttpProbe {

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    public Uni<DeviceResult> check(DeviceView view, long timeoutMs, int retries) {
        Map<String, Object> config = view.protocolConfig() == null ? Map.of() : view.protocolConfig();
        Object url = config.get("healthUrl");
        if (!(url instanceof String)) {
            return Uni.createFrom().item(new DeviceResult(view.deviceId(), false, "HTTP_CHECK", null,
                    "no protocolConfig.healthUrl configured", Map.of()));
        }
        long timeout = config.get("timeoutMs") instanceof Number n ? Math.min(n.longValue(), timeoutMs) : timeoutMs;
        Integer expected = config.get("expectedStatus") instanceof Number n ? n.intValue() : null;
        return attempt(view.deviceId(), (String) url, timeout, expected, 1, retries + 1);
    }

    private Uni<DeviceResult> attempt(String deviceId, String url, long timeoutMs, Integer expected, int attempt,
            int attempts) {
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMillis(timeoutMs)).GET().build();
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().item(new DeviceResult(deviceId, false, "HTTP_CHECK", null,
                    "invalid healthUrl: " + e.getMessage(), Map.of("url", url)));
        }
        long t0 = System.nanoTime();
        return Uni.createFrom().completionStage(() -> client.sendAsync(request, HttpResponse.BodyHandlers.discarding()))
                .map(r -> {
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    boolean ok = expected == null ? r.statusCode() / 100 == 2 : r.statusCode() == expected;
                    Map<String, Object> meta = new LinkedHashMap<>();
                    meta.put("url", url);
                    meta.put("status", r.statusCode());
                    meta.put("attempts", attempt);
                    return new DeviceResult(deviceId, ok, "HTTP_CHECK", ms, ok ? null : "HTTP " + r.statusCode(), meta);
                })
                .onFailure().recoverWithItem(e -> new DeviceResult(deviceId, false, "HTTP_CHECK",
                        (System.nanoTime() - t0) / 1_000_000, e.getClass().getSimpleName()
                                + (e.getMessage() == null ? "" : ": " + e.getMessage()),
                        Map.of("url", url, "attempts", attempt)))
                .flatMap(r -> r.success() || attempt >= attempts ? Uni.createFrom().item(r)
                        : attempt(deviceId, url, timeoutMs, expected, attempt + 1, attempts));
    }
}
