package io.heartbeat.cli;

/**
 * The exit codes of every hb command, documented in docs/cli.md. Scripts switch on them, so they never change
 * meaning.
 */
public final class ExitCode {

    /** Done; for {@code hb probe}: the endpoint reports UP. */
    public static final int OK = 0;
    /** A service answered with an error (problem JSON, 4xx or 5xx, other than the ones below), or the probe saw DOWN. */
    public static final int FAILED = 1;
    /** Wrong options or configuration (picocli's own code for usage errors). */
    public static final int USAGE = 2;
    /** A service could not be reached, or did not answer in time. */
    public static final int UNREACHABLE = 3;
    /** 401 or 403: no token, a bad or expired one, or one whose group or tenant does not allow the operation. */
    public static final int NOT_ALLOWED = 4;
    /** 404: no such device, profile, command, schedule or scenario (in the caller's tenant). */
    public static final int NOT_FOUND = 5;
    /** 409 or 412: the request conflicts with the current state (device exists, command final, stale revision). */
    public static final int CONFLICT = 6;
    /** Interrupted by SIGINT/SIGTERM before it was done (130 as a shell reports Ctrl-C). */
    public static final int INTERRUPTED = 130;

    private ExitCode() {
    }

    /** The exit code for an HTTP error status. */
    public static int forStatus(int status) {
        return switch (status) {
            case 401, 403 -> NOT_ALLOWED;
            case 404 -> NOT_FOUND;
            case 409, 412 -> CONFLICT;
            default -> FAILED;
        };
    }
}
