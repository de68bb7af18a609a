package io.heartbeat.cli.ops;

import java.util.concurrent.Callable;

import io.heartbeat.cli.config.ClientOptions;
import io.heartbeat.cli.http.Api;
import io.heartbeat.cli.output.Printer;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** An operator command: the client options, a client with the user's token, and a printer for its answer. */
public abstract class ApiCommand implements Callable<Integer> {

    @Mixin
    protected ClientOptions client;

    @Spec
    protected CommandSpec spec;

    @Override
    public final Integer call() throws Exception {
        return execute(client.api(), new Printer(spec.commandLine().getOut(), client.json()));
    }

    /** @return the exit code */
    protected abstract int execute(Api api, Printer out) throws Exception;
}
