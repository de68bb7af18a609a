package io.heartbeat.cli.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.heartbeat.cli.ExitCode;

class ProblemTest {

    @Test
    void aProblemIsOneLineWithItsTypeAndDetail() {
        Problem p = Problem.of(404, """
                {"type":"/problems/not-found","title":"Not Found","status":404,
                 "detail":"device 'socket-0042' does not exist","instance":"/api/v1/devices/socket-0042"}""");
        assertThat(p.line()).isEqualTo("404 not-found: device 'socket-0042' does not exist");
        assertThat(ApiException.of(p).exitCode()).isEqualTo(ExitCode.NOT_FOUND);
    }

    @Test
    void fieldErrorsFollowOnTheSameLine() {
        Problem p = Problem.of(422,
                """
                        {"type":"/problems/validation-failed","title":"Unprocessable","status":422,"detail":"The device is\\n not valid","errors":[{"field":"name","message":"must not be blank"},
                         {"field":"protocolConfig.qos","message":"must be an integer from 0 to 1"}]}""");
        assertThat(p.line()).isEqualTo("422 validation-failed: The device is not valid (name: must not be blank; "
                + "protocolConfig.qos: must be an integer from 0 to 1)").doesNotContain("\n");
        assertThat(ApiException.of(p).exitCode()).isEqualTo(ExitCode.FAILED);
    }

    @Test
    void aBodyThatIsNotAProblemKeepsTheStatus() {
        assertThat(Problem.of(414, "").line()).isEqualTo("414: URI too long");
        assertThat(Problem.of(502, "<html>bad gateway</html>").line()).isEqualTo("502: bad gateway");
        assertThat(Problem.of(401, "{\"title\":\"Unauthorized\"}").line()).isEqualTo("401: Unauthorized");
        assertThat(ApiException.of(Problem.of(401, "")).exitCode()).isEqualTo(ExitCode.NOT_ALLOWED);
        assertThat(ApiException.of(Problem.of(409, "")).exitCode()).isEqualTo(ExitCode.CONFLICT);
    }

    @Test
    void queriesLeaveOutNullsAndEncode() {
        assertThat(Api.query(Api.params("page", 0, "q", "kitchen socket", "state", null)))
                .isEqualTo("?page=0&q=kitchen+socket");
        assertThat(Api.query(Api.params("x", null))).isEmpty();
        assertThat(Api.seg("a b/c")).isEqualTo("a%20b%2Fc");
    }
}
