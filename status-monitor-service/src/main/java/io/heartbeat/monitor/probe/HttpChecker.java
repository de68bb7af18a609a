package io.heartbeat.monitor.probe;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;

/** HTTP devices are probed by a GET on their health URL: 2xx within the timeout is a success. */
@ApplicationScoped
public class HttpChecker {

    /** A check's outcome, with the time of the last attempt. */
    public record Check(boolean success, Long responseTimeMs, String error, int attempts) {
    }

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    /** Up to {@code 1 + retries} attempts, each bounded by {@code timeout}. */
    public Uni<Check> check(String url, Duration timeout, int retries) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().item(new Check(false, null, "not a valid URL: " + url, 0));
        }
        return attempt(uri, timeout, retries, 1);
    }

    private Uni<Check> attempt(URI uri, Duration timeout, int retriesLeft, int attempt) {
        long started = System.nanoTime();
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
        return Uni.createFrom().completionStage(() -> client.sendAsync(request, HttpResponse.BodyHandlers.discarding()))
                .map(r -> {
                    long ms = (System.nanoTime() - started) / 1_000_000;
                    boolean ok = r.statusCode() >= 200 && r.statusCode() < 300;
                    return new Check(ok, ms, ok ? null : "HTTP " + r.statusCode(), attempt);
                })
                .onFailure().recoverWithItem(e -> new Check(false, null, e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : ": " + e.getMessage()), attempt))
                .flatMap(c -> c.success() || retriesLeft <= 0 ? Uni.createFrom().item(c)
                        : attempt(uri, timeout, retriesLeft - 1, attempt + 1));
    }
}
