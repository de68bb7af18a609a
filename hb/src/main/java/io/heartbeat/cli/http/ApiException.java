package io.heartbeat.cli.http;

import io.heartbeat.cli.ExitCode;

/** A failed call, with the one line hb prints and the exit code it ends with. */
public final class ApiException extends RuntimeException {

    private final int exitCode;
    private final Problem problem;

    private ApiException(String message, int exitCode, Problem problem) {
        super(message);
        this.exitCode = exitCode;
        this.problem = problem;
    }

    /** The service answered with an error. */
    public static ApiException of(Problem problem) {
        return new ApiException(problem.line(), ExitCode.forStatus(problem.status()), problem);
    }

    /** The service could not be reached or did not answer in time. */
    public static ApiException unreachable(String what) {
        return new ApiException(what, ExitCode.UNREACHABLE, null);
    }

    public int exitCode() {
        return exitCode;
    }

    /** The problem the service answered, or null if it could not be reached. */
    public Problem problem() {
        return problem;
    }
}
