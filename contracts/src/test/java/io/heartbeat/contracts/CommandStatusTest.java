package io.heartbeat.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

class CommandStatusTest {

    @Test
    void onlyFinalOutcomesAreTerminal() {
        assertThat(Arrays.stream(CommandStatus.values()).filter(CommandStatus::terminal))
                .containsExactlyInAnyOrder(CommandStatus.SUCCEEDED, CommandStatus.FAILED, CommandStatus.EXPIRED,
                        CommandStatus.DEAD_LETTERED, CommandStatus.CANCELLED);
    }
}
