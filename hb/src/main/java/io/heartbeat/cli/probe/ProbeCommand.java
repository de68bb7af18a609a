package io.heartbeat.cli.probe;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;

import io.heartbeat.cli.ExitCode;
import io.heartbeat.cli.config.DurationConverter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hb probe URL}: a Kubernetes exec probe. Exit 0, silently, when the health endpoint answers 200 with status
 * UP; otherwise one line on stderr and exit 1 (DOWN or another answer) or 3 (unreachable, or no answer in time).
 * Only the JDK's {@code HttpURLConnection} is used on this path, so the JVM (or a native image) starts it fast.
 */
@Command(name = "probe", description = "Exit 0 (silently) if the health endpoint reports UP, else print one line "
        + "and exit 1 (not UP) or 3 (unreachable or timed out). For Kubernetes exec probes.")
public final class ProbeCommand implements Callable<Integer> {

    @Parameters(paramLabel = "URL", description = "e.g. http://127.0.0.1:8081/q/health/ready")
    String url;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "2s", converter = DurationConverter.class, description = "for connecting and for each read of the answer (default ${DEFAULT-VALUE})")
    Duration timeout;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        URI uri;
        try {
            uri = URI.create(url);
            if (uri.getScheme() == null || !uri.getScheme().startsWith("http") || uri.getHost() == null) {
                throw new IllegalArgumentException("not an http(s) URL");
            }
        } catch (IllegalArgumentException e) {
            return fail(ExitCode.USAGE, "not an http(s) URL");
        }
        // HttpURLConnection, not java.net.http.HttpClient: the latter sets up TLS and its selector thread even for
        // plain http, which is most of a probe's start-up (measured: docs/benchmarks.md)
        int code;
        String body;
        HttpURLConnection c = null;
        try {
            c = (HttpURLConnection) uri.toURL().openConnection();
            c.setConnectTimeout((int) Math.max(1, timeout.toMillis()));
            c.setReadTimeout((int) Math.max(1, timeout.toMillis()));
            c.setRequestProperty("Accept", "application/json");
            c.setUseCaches(false);
            try {
                c.connect();
            } catch (SocketTimeoutException e) {
                return fail(ExitCode.UNREACHABLE, "no connection within " + timeout.toMillis() + " ms");
            }
            code = c.getResponseCode();
            try (InputStream in = code >= 400 ? c.getErrorStream() : c.getInputStream()) {
                body = in == null ? "" : new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
            }
        } catch (SocketTimeoutException e) {
            return fail(ExitCode.UNREACHABLE, "no answer within " + timeout.toMillis() + " ms");
        } catch (ConnectException e) {
            return fail(ExitCode.UNREACHABLE, "connection refused");
        } catch (IOException e) {
            return fail(ExitCode.UNREACHABLE, e.getMessage() == null ? e.toString() : e.getMessage());
        } finally {
            if (c != null) {
                c.disconnect();
            }
        }
        String status = HealthStatus.of(body);
        if (code == 200 && (status == null || status.equals("UP"))) {
            return ExitCode.OK;
        }
        return fail(ExitCode.FAILED, (status == null ? "not UP" : status) + " (HTTP " + code + ")");
    }

    private int fail(int code, String why) {
        spec.commandLine().getErr().println("hb probe: " + url + ": " + why);
        spec.commandLine().getErr().flush();
        return code;
    }
}
