package io.heartbeat.cli;

/** A configuration or option problem found after parsing (a missing URL or token): exit code 2 with one line. */
public final class UsageException extends RuntimeException {

    public UsageException(String message) {
        super(message);
    }
}
