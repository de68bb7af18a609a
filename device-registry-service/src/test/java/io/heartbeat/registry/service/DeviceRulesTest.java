package io.heartbeat.registry.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.heartbeat.common.error.DomainException;

class DeviceRulesTest {

    @ParameterizedTest
    @ValueSource(strings = { "heartbeat-ingest", "heartbeat-ingest-3", "heartbeat-ingestor",
            "heartbeat-status-monitor", "heartbeat-status-monitor.a", "heartbeat-command-service_x" })
    void idsStartingWithAServiceAccountNameAreRefused(String id) {
        Errors errors = new Errors();
        DeviceRules.checkId(errors, id);
        assertThatThrownBy(errors::throwIfAny).isInstanceOfSatisfying(DomainException.Invalid.class,
                e -> assertThat(e.errors()).singleElement().satisfies(error -> {
                    assertThat(error.field()).isEqualTo("id");
                    assertThat(error.message()).startsWith("must not start with 'heartbeat-")
                            .contains("reserved for the platform's MQTT service accounts");
                }));
    }

    @ParameterizedTest
    @ValueSource(strings = { "socket-0042", "my-heartbeat-ingest", "heartbeat", "heartbeat-monitor",
            "Heartbeat-Ingest-1", "heartbeat-command" })
    void otherIdsArePlainDeviceIds(String id) {
        Errors errors = new Errors();
        DeviceRules.checkId(errors, id);
        assertThat(errors.isEmpty()).isTrue();
    }

    @Test
    void aNewCredentialEpochDiffersFromThePreviousInMilliseconds() {
        Instant previous = Instant.parse("2025-03-14T09:00:00.123456Z");
        // the same millisecond, or a clock that stepped back: one millisecond after the previous one
        assertThat(DeviceRules.nextCredentialsEpoch(previous, previous.plusNanos(500_000)))
                .isEqualTo(Instant.parse("2025-03-14T09:00:00.124Z"));
        assertThat(DeviceRules.nextCredentialsEpoch(previous, previous.minusSeconds(5)))
                .isEqualTo(Instant.parse("2025-03-14T09:00:00.124Z"));
        Instant later = Instant.parse("2025-03-14T09:00:01.000001Z");
        assertThat(DeviceRules.nextCredentialsEpoch(previous, later)).isEqualTo(later);
    }

    @Test
    void anIdWithBadCharactersIsRefusedForThemAlone() {
        Errors errors = new Errors();
        DeviceRules.checkId(errors, "heartbeat-ingest/1");
        assertThatThrownBy(errors::throwIfAny).isInstanceOfSatisfying(DomainException.Invalid.class,
                e -> assertThat(e.errors()).extracting(DomainException.FieldError::message)
                        .containsExactly("must be " + DeviceRules.DEVICE_ID_RULE));
    }
}
