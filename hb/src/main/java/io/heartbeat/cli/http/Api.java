package io.heartbeat.cli.http;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

import com.fasterxml.jackson.databind.JsonNode;

import io.heartbeat.cli.config.HbConfig;
import io.heartbeat.cli.config.Service;

/**
 * The platform's REST APIs as hb calls them: JSON in and out, the user's bearer token on every call, and every error
 * turned into an {@link ApiException} with the problem's one line.
 */
public final class Api {

    private final HbConfig config;
    private final String token;
    private final Duration timeout;
    private final HttpClient http;

    public Api(HbConfig config, String token, Duration timeout) {
        this.config = config;
        this.token = token;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    public HbConfig config() {
        return config;
    }

    public HttpClient http() {
        return http;
    }

    public String token() {
        return token;
    }

    public JsonNode get(Service service, String path, Map<String, ?> query) {
        return send(service, "GET", path + query(query), null, Map.of()).body();
    }

    public JsonNode get(Service service, String path) {
        return get(service, path, Map.of());
    }

    public JsonNode post(Service service, String path, JsonNode body) {
        return send(service, "POST", path, body, Map.of()).body();
    }

    public JsonNode delete(Service service, String path, Map<String, String> headers) {
        return send(service, "DELETE", path, null, headers).body();
    }

    /** A call's answer: status, body (null when empty) and the headers hb reads. */
    public record Answer(int status, JsonNode body, String etag) {
    }

    public Answer send(Service service, String method, String path, JsonNode body, Map<String, String> headers) {
        URI uri = uri(service, path);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Authorization", "Bearer " + token).header("Accept", "application/json");
        String contentType = method.equals("PATCH") ? "application/merge-patch+json" : "application/json";
        headers.forEach(b::header);
        if (body != null) {
            b.header("Content-Type", contentType);
            b.method(method, HttpRequest.BodyPublishers.ofString(Json.write(body)));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> r = exchange(b.build(), service);
        if (r.statusCode() >= 400) {
            throw ApiException.of(Problem.of(r.statusCode(), r.body()));
        }
        JsonNode json = null;
        if (r.body() != null && !r.body().isBlank()) {
            try {
                json = Json.MAPPER.readTree(r.body());
            } catch (IOException e) {
                throw ApiException.unreachable(service.name().toLowerCase() + " at " + config.url(service)
                        + " answered " + r.statusCode() + " with a body that is not JSON");
            }
        }
        return new Answer(r.statusCode(), json, r.headers().firstValue("ETag").orElse(null));
    }

    public URI uri(Service service, String path) {
        try {
            return URI.create(config.url(service) + path);
        } catch (IllegalArgumentException e) {
            throw new io.heartbeat.cli.UsageException("not a URL: " + config.url(service) + path);
        }
    }

    HttpResponse<String> exchange(HttpRequest request, Service service) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpConnectTimeoutException | ConnectException e) {
            throw ApiException.unreachable(unreachable(service, "cannot connect"));
        } catch (HttpTimeoutException e) {
            throw ApiException.unreachable(unreachable(service, "no answer within " + timeout.toMillis() + " ms"));
        } catch (IOException e) {
            throw ApiException.unreachable(unreachable(service, e.getMessage() == null ? e.toString()
                    : e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.unreachable("interrupted");
        }
    }

    private String unreachable(Service service, String why) {
        return serviceName(service) + " at " + config.url(service) + ": " + why
                + (config.source() == null ? "" : " (config " + config.source() + ")");
    }

    static String serviceName(Service s) {
        return switch (s) {
            case REGISTRY -> "device-registry-service";
            case INGEST -> "heartbeat-ingest-service";
            case MONITOR -> "status-monitor-service";
            case COMMAND -> "command-service";
        };
    }

    /** {@code ?a=1&b=x} from the non-null entries, URL-encoded; empty when none. */
    public static String query(Map<String, ?> params) {
        StringJoiner j = new StringJoiner("&", "?", "");
        j.setEmptyValue("");
        params.forEach((k, v) -> {
            if (v != null) {
                j.add(enc(k) + "=" + enc(v.toString()));
            }
        });
        return j.toString();
    }

    /** A path segment (a device id, a command id), URL-encoded. */
    public static String seg(String s) {
        return enc(s).replace("+", "%20");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** An insertion-ordered map that keeps nulls out of queries: {@code params("page", 0, "q", null)}. */
    public static Map<String, Object> params(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
