package io.heartbeat.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.heartbeat.contracts.Topics.TopicSpec;

class TopicsTest {

    @Test
    void allListsEveryTopicConstantOnce() throws Exception {
        List<String> constants = Arrays.stream(Topics.class.getFields())
                .filter(f -> Modifier.isStatic(f.getModifiers()) && f.getType() == String.class)
                .map(TopicsTest::value)
                .toList();

        assertThat(constants).hasSize(10);
        assertThat(Topics.ALL).extracting(TopicSpec::name).containsExactlyInAnyOrderElementsOf(constants);
    }

    @Test
    void exactlyTheRegistryAndSignalTopicsAreCompacted() {
        assertThat(Topics.ALL).filteredOn(TopicSpec::compacted).extracting(TopicSpec::name)
                .containsExactlyInAnyOrder("registry.devices", "device-status.current", "device-signals");
    }

    @Test
    void constantsAreTheTopicNames() {
        assertThat(List.of(Topics.REGISTRY_DEVICES, Topics.HEARTBEATS, Topics.HEARTBEATS_REJECTED,
                Topics.DEVICE_STATUS, Topics.DEVICE_STATUS_CURRENT, Topics.COMMAND_REQUESTS, Topics.COMMAND_RESULTS,
                Topics.DEVICE_SIGNALS,
                Topics.DEVICE_SIGNALS_DELIVERED, Topics.COMMANDS_DLQ))
                .containsExactly("registry.devices", "heartbeats", "heartbeats.rejected", "device-status",
                        "device-status.current", "command-requests", "command-results", "device-signals",
                        "device-signals.delivered",
                        "commands.dlq");
    }

    private static String value(Field field) {
        try {
            return (String) field.get(null);
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }
}
