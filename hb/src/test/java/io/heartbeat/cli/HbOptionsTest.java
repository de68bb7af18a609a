package io.heartbeat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/** Option parsing of every command: what is required, what is refused, which defaults apply. */
class HbOptionsTest {

    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    int run(String... args) {
        return Hb.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    static ParseResult parse(String... args) {
        return new CommandLine(new Hb()).setCaseInsensitiveEnumValuesAllowed(true).parseArgs(args);
    }

    static ParseResult leaf(ParseResult r) {
        while (r.hasSubcommand()) {
            r = r.subcommand();
        }
        return r;
    }

    @Test
    void everyCommandHasHelp() {
        for (String[] cmd : new String[][] { { "agent" }, { "simulate" }, { "devices", "create" },
                { "devices", "list" }, { "profiles", "update" }, { "status" }, { "transitions" }, { "heartbeats" },
                { "commands", "send" }, { "schedules", "create" }, { "scenarios", "run" }, { "dev-token" },
                { "probe" } }) {
            String[] args = java.util.Arrays.copyOf(cmd, cmd.length + 1);
            args[cmd.length] = "--help";
            assertThat(run(args)).as(String.join(" ", cmd)).isZero();
        }
        assertThat(out.toString()).contains("Usage: hb agent").contains("--silent-percent").contains("--print-token");
    }

    @Test
    void missingOrUnknownOptionsAreUsageErrors() {
        assertThat(run("devices", "create")).isEqualTo(ExitCode.USAGE);
        assertThat(err.toString()).contains("Missing required parameter: 'ID'");
        assertThat(run("agent")).isEqualTo(ExitCode.USAGE);
        assertThat(run("devices", "list", "--colour")).isEqualTo(ExitCode.USAGE);
        assertThat(run("simulate", "--transport", "carrier-pigeon")).isEqualTo(ExitCode.USAGE);
        assertThat(run("dev-token", "--group", "root")).isEqualTo(ExitCode.USAGE);
        assertThat(run("devices")).isEqualTo(ExitCode.USAGE);
    }

    @Test
    void checksAfterParsingAreUsageErrorsToo() {
        assertThat(run("agent", "--device", "d1", "--qos", "3")).isEqualTo(ExitCode.USAGE);
        assertThat(err.toString()).contains("--qos must be 0, 1 or 2");
        assertThat(run("simulate", "--silent-percent", "80", "--flap-percent", "30", "--token", "t"))
                .isEqualTo(ExitCode.USAGE);
        assertThat(run("dev-token", "--group", "viewer")).isEqualTo(ExitCode.USAGE);
        assertThat(err.toString()).contains("--tenant is required");
    }

    @Test
    void agentDefaults() {
        var r = leaf(parse("agent", "--device", "socket-0042"));
        assertThat((Duration) r.commandSpec().findOption("--interval").getValue()).isEqualTo(Duration.ofSeconds(30));
        assertThat((Integer) r.commandSpec().findOption("--qos").getValue()).isEqualTo(1);
        assertThat(r.commandSpec().findOption("--transport").getValue().toString()).isEqualTo("mqtt");
        assertThat(r.commandSpec().findOption("--telemetry").getValue().toString()).isEqualTo("socket");
        var http = leaf(parse("agent", "--device", "m1", "--transport", "HTTP", "--interval", "10s", "--qos", "2"));
        assertThat(http.commandSpec().findOption("--transport").getValue().toString()).isEqualTo("http");
        assertThat((Duration) http.commandSpec().findOption("--interval").getValue()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void simulateDefaultsAndRepeatedOptions() {
        var r = leaf(parse("simulate", "--devices", "300", "--rate", "1500", "--transport", "mixed"));
        assertThat((Integer) r.commandSpec().findOption("--devices").getValue()).isEqualTo(300);
        assertThat((Double) r.commandSpec().findOption("--rate").getValue()).isEqualTo(1500.0);
        assertThat((Integer) r.commandSpec().findOption("--connections").getValue()).isEqualTo(64);
        assertThat((Duration) r.commandSpec().findOption("--duration").getValue()).isEqualTo(Duration.ofSeconds(60));
        var d = leaf(parse("devices", "create", "s1", "--metadata", "site=kitchen", "--metadata", "floor=2",
                "--remote-control", "true"));
        assertThat(d.commandSpec().findOption("--metadata").<java.util.Map<String, String>> getValue())
                .containsEntry("site", "kitchen").containsEntry("floor", "2");
    }

    @Test
    void theVersionIsPrinted() {
        assertThat(run("--version")).isZero();
        assertThat(out.toString()).startsWith("hb ");
    }
}
