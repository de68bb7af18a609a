package io.heartbeat.cli.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import io.heartbeat.cli.Hb;

class ProbeCommandTest {

    HttpServer server;
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    String serve(int status, String body, long delayMs) throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/q/health/ready", x -> {
            try {
                Thread.sleep(delayMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(status, b.length);
            x.getResponseBody().write(b);
            x.close();
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/q/health/ready";
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    int probe(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "probe";
        System.arraycopy(args, 0, all, 1, args.length);
        return Hb.run(all, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    @Test
    void upIsExitZeroAndSilent() throws Exception {
        String url = serve(200, "{\"status\":\"UP\",\"checks\":[{\"name\":\"db\",\"status\":\"UP\"}]}", 0);
        assertThat(probe(url)).isZero();
        assertThat(out.toString()).isEmpty();
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void downIsExitOneWithOneLine() throws Exception {
        String url = serve(503, "{\"status\":\"DOWN\",\"checks\":[{\"name\":\"kafka\",\"status\":\"DOWN\"}]}", 0);
        assertThat(probe(url)).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("hb probe: " + url + ": DOWN (HTTP 503)" + System.lineSeparator());
    }

    @Test
    void aTopLevelDownWithStatus200IsNotUp() throws Exception {
        String url = serve(200, "{\"checks\":[{\"status\":\"UP\"}],\"status\":\"DOWN\"}", 0);
        assertThat(probe(url)).isEqualTo(1);
    }

    @Test
    void noAnswerInTimeIsExitThree() throws Exception {
        String url = serve(200, "{\"status\":\"UP\"}", 3000);
        long t0 = System.nanoTime();
        assertThat(probe("--timeout", "300ms", url)).isEqualTo(3);
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(2500);
        assertThat(err.toString()).contains("no answer within 300 ms");
    }

    @Test
    void nothingListeningIsExitThree() throws Exception {
        serve(200, "", 0);
        int port = server.getAddress().getPort();
        server.stop(0);
        server = null;
        assertThat(probe("http://127.0.0.1:" + port + "/q/health/ready")).isEqualTo(3);
        assertThat(err.toString().lines().count()).isEqualTo(1);
    }

    @Test
    void aBadUrlIsAUsageError() {
        assertThat(probe("not a url")).isEqualTo(2);
        assertThat(probe()).isEqualTo(2);
    }

    @Test
    void theTopLevelStatusIsFoundWithoutAJsonLibrary() {
        assertThat(HealthStatus.of("{\"status\":\"UP\"}")).isEqualTo("UP");
        assertThat(HealthStatus.of("{ \"checks\" : [ {\"status\":\"DOWN\"} ], \"status\" : \"UP\" }")).isEqualTo("UP");
        assertThat(HealthStatus.of("{\"a\":{\"status\":\"DOWN\"},\"status\":\"UP\"}")).isEqualTo("UP");
        assertThat(HealthStatus.of("{\"s\\\"tatus\":\"x\",\"status\":\"DOWN\"}")).isEqualTo("DOWN");
        assertThat(HealthStatus.of("[\"status\",\"UP\"]")).isNull();
        assertThat(HealthStatus.of("")).isNull();
        assertThat(HealthStatus.of("{\"status\":")).isNull();
    }
}
