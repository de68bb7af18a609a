package io.heartbeat.cli.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;

import io.heartbeat.cli.UsageException;

class HealthEndpointTest {

    final HttpClient http = HttpClient.newHttpClient();

    int status(String url, String method) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).method(method, HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void answersUpOnHealthOnlyAndStopsWithTheAgent() throws Exception {
        HealthEndpoint health = HealthEndpoint.start(0, "meter-\"1\"");
        String url = health.url();
        assertThat(url).startsWith("http://127.0.0.1:").endsWith("/health");
        HttpResponse<String> up = http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(up.statusCode()).isEqualTo(200);
        assertThat(up.body()).isEqualTo("{\"status\":\"UP\",\"device_id\":\"meter-\\\"1\\\"\"}");
        assertThat(status(url, "POST")).isEqualTo(405);
        assertThat(status(url.replace("/health", "/other"), "GET")).isEqualTo(404);
        health.stop();
        assertThatThrownBy(() -> status(url, "GET")).isInstanceOf(java.io.IOException.class);
    }

    @Test
    void aPortOutsideTheRangeIsAUsageError() {
        assertThatThrownBy(() -> HealthEndpoint.start(70_000, "d")).isInstanceOf(UsageException.class)
                .hasMessage("--health-port must be 0 to 65535");
    }
}
