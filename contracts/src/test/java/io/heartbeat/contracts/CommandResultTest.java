package io.heartbeat.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Which outcomes of a command say something about its device's liveness. */
class CommandResultTest {

    static CommandResult result(CommandStatus status, int attempts, String refusal) {
        return new CommandResult(1, "r", "c", "socket-0042", "acme", status,
                status == CommandStatus.SUCCEEDED || status == CommandStatus.FAILED && attempts > 0 ? Map.of() : null,
                null, null, Instant.parse("2025-03-14T09:27:33Z"), attempts, refusal);
    }

    @Test
    void anAnswerOkOrErrorIsEvidenceOfLife() {
        assertThat(result(CommandStatus.SUCCEEDED, 1, null).answered()).isTrue();
        assertThat(result(CommandStatus.FAILED, 1, null).answered()).isTrue();
        assertThat(result(CommandStatus.FAILED, 1, null).unanswered()).isFalse();
    }

    @Test
    void onlyASentCommandThatExpiredOrWasDeadLetteredIsUnanswered() {
        assertThat(result(CommandStatus.EXPIRED, 1, null).unanswered()).isTrue();
        assertThat(result(CommandStatus.DEAD_LETTERED, 3, null).unanswered()).isTrue();
        // never left: the device was not connected while the command waited
        assertThat(result(CommandStatus.EXPIRED, 0, null).unanswered()).isFalse();
        assertThat(result(CommandStatus.CANCELLED, 1, null).unanswered()).isFalse();
    }

    @Test
    void aRefusalIsNeitherAnAnswerNorUnanswered() {
        CommandResult refused = result(CommandStatus.FAILED, 0, "remote-control-disabled");

        assertThat(refused.answered()).isFalse();
        assertThat(refused.unanswered()).isFalse();
    }
}
