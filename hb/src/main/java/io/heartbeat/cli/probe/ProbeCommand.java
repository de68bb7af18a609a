package io.heartbeat.cli.probe;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
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
 * Only the JDK's HTTP client is used on this path, so the JVM (or a native image) starts it fast.
 */
@Command(name = "probe", description = "Exit 0 (silently) if the health endpoint reports UP, else print one line "
        + "and exit 1 (not UP) or 3 (unreachable or timed out). For Kubernetes exec probes.")
public final class ProbeCommand implements Callable<Integer> {

    @Parameters(paramLabel = "URL", description = "e.g. http://127.0.0.1:8081/q/health/ready")
    String url;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "2s", converter = DurationConverter.class, description = "for connecting and the whole answer (default ${DEFAULT-VALUE})")
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
        HttpClient http = HttpClient.newBuilder().connectTimeout(timeout).build();
        HttpResponse<String> r;
        try {
            r = http.send(HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json").GET()
                    .build(), HttpResponse.BodyHandlers.ofString());
        } catch (HttpConnectTimeoutException e) {
            return fail(ExitCode.UNREACHABLE, "no connection within " + timeout.toMillis() + " ms");
        } catch (HttpTimeoutException e) {
            return fail(ExitCode.UNREACHABLE, "no answer within " + timeout.toMillis() + " ms");
        } catch (ConnectException e) {
            return fail(ExitCode.UNREACHABLE, "connection refused");
        } catch (IOException e) {
            return fail(ExitCode.UNREACHABLE, e.getMessage() == null ? e.toString() : e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail(ExitCode.UNREACHABLE, "interrupted");
        }
        String status = HealthStatus.of(r.body());
        if (r.statusCode() == 200 && (status == null || status.equals("UP"))) {
            return ExitCode.OK;
        }
        return fail(ExitCode.FAILED, (status == null ? "not UP" : status) + " (HTTP " + r.statusCode() + ")");
    }

    private int fail(int code, String why) {
        spec.commandLine().getErr().println("hb probe: " + url + ": " + why);
        spec.commandLine().getErr().flush();
        return code;
    }
}
