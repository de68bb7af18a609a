package io.heartbeat.command.store;

import java.time.Duration;
import java.util.Map;

/**
 * What a command does, validated and with the defaults filled in: a user's command before it is stored, and the
 * template each fire of a schedule makes.
 */
public record CommandSpec(String name, Map<String, Object> payload, Duration ttl, Duration ackTimeout,
        int maxAttempts) {
}
