package io.heartbeat.cli;

import java.io.PrintWriter;
import java.util.Arrays;

import io.heartbeat.cli.device.AgentCommand;
import io.heartbeat.cli.device.SimulateCommand;
import io.heartbeat.cli.http.ApiException;
import io.heartbeat.cli.ops.CommandsCommand;
import io.heartbeat.cli.ops.DevTokenCommand;
import io.heartbeat.cli.ops.DevicesCommand;
import io.heartbeat.cli.ops.HeartbeatsCommand;
import io.heartbeat.cli.ops.ProfilesCommand;
import io.heartbeat.cli.ops.ScenariosCommand;
import io.heartbeat.cli.ops.SchedulesCommand;
import io.heartbeat.cli.ops.StatusCommand;
import io.heartbeat.cli.ops.TransitionsCommand;
import io.heartbeat.cli.probe.ProbeCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code hb}: the heartbeat platform's command line. Each subcommand is its own class; this one only wires them. */
// scope INHERIT: every subcommand gets --help and --version too
@Command(name = "hb", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT, versionProvider = Hb.Version.class, description = "The heartbeat platform's command line: a device agent, a fleet simulator, the operator "
        + "commands and a health probe.", subcommands = { AgentCommand.class, SimulateCommand.class, DevicesCommand.class,
                ProfilesCommand.class,
                StatusCommand.class, TransitionsCommand.class, HeartbeatsCommand.class, CommandsCommand.class,
                SchedulesCommand.class, ScenariosCommand.class, DevTokenCommand.class, ProbeCommand.class,
                CommandLine.HelpCommand.class }, footer = { "",
                        "Configuration: flags, then HB_* environment variables, then the config file (--config, "
                                + "HB_CONFIG, ./.local-stack/hb.properties, ~/.config/hb/config.properties). Exit codes: "
                                + "docs/cli.md." })
public final class Hb implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs hb with {@code args} and returns the exit code (the tests call this instead of {@link #main}). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        // a Kubernetes exec probe runs every few seconds: build only the probe's command model, so its start
        // loads neither the other commands nor their libraries (Jackson, the MQTT client)
        // (help goes the normal way, where --help is inherited)
        if (args.length > 0 && args[0].equals("probe") && !wantsHelp(args)) {
            return configure(new CommandLine(new ProbeCommand()), out, err)
                    .execute(Arrays.copyOfRange(args, 1, args.length));
        }
        return configure(new CommandLine(new Hb()), out, err).execute(args);
    }

    private static boolean wantsHelp(String[] args) {
        for (String a : args) {
            if (a.equals("-h") || a.equals("--help") || a.equals("-V") || a.equals("--version")) {
                return true;
            }
        }
        return false;
    }

    static CommandLine configure(CommandLine cli, PrintWriter out, PrintWriter err) {
        return cli.setOut(out).setErr(err).setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    if (e instanceof ApiException api) {
                        cmd.getErr().println("hb: " + api.getMessage());
                        return api.exitCode();
                    }
                    if (e instanceof CommandLine.ParameterException) {
                        throw e;
                    }
                    if (e instanceof UsageException) {
                        cmd.getErr().println("hb: " + e.getMessage());
                        return ExitCode.USAGE;
                    }
                    cmd.getErr().println("hb: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
                    return ExitCode.FAILED;
                });
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The version from the jar's manifest (the Maven project version), "dev" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Hb.class.getPackage().getImplementationVersion();
            return new String[] { "hb " + (v == null ? "dev" : v) };
        }
    }
}
