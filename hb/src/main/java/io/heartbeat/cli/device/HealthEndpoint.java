package io.heartbeat.cli.device;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.heartbeat.cli.UsageException;
import io.heartbeat.cli.http.Json;

/**
 * The agent's {@code GET /health} on the loopback interface: what an HTTP device exposes for the monitor's
 * {@code HTTP_CHECK} probe. It answers 200 {@code {"status":"UP"}} while the agent runs, 405 to other methods and
 * 404 elsewhere.
 */
final class HealthEndpoint {

    private final HttpServer server;

    private HealthEndpoint(HttpServer server) {
        this.server = server;
    }

    /** Listens on 127.0.0.1:{@code port} (0: a free port). */
    static HealthEndpoint start(int port, String device) {
        if (port < 0 || port > 65535) {
            throw new UsageException("--health-port must be 0 to 65535");
        }
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
            byte[] up = ("{\"status\":\"UP\",\"device_id\":" + Json.MAPPER.writeValueAsString(device) + "}")
                    .getBytes(StandardCharsets.UTF_8);
            server.createContext("/", exchange -> answer(exchange, up));
            server.start();
            return new HealthEndpoint(server);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port + ": " + e.getMessage(), e);
        }
    }

    private static void answer(HttpExchange exchange, byte[] up) throws IOException {
        try (exchange) {
            if (!exchange.getRequestURI().getPath().equals("/health")) {
                exchange.sendResponseHeaders(404, -1);
            } else if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
                exchange.sendResponseHeaders(405, -1);
            } else {
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, exchange.getRequestMethod().equals("HEAD") ? -1 : up.length);
                if (exchange.getRequestMethod().equals("GET")) {
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(up);
                    }
                }
            }
        }
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/health";
    }

    void stop() {
        server.stop(0);
    }
}
