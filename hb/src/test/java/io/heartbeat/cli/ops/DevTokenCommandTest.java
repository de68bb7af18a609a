package io.heartbeat.cli.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import io.heartbeat.cli.Hb;
import io.heartbeat.cli.http.Json;
import io.heartbeat.localstack.DevKeys;
import io.heartbeat.localstack.DevTokens;

class DevTokenCommandTest {

    @TempDir
    Path dir;

    @Test
    void theClaimsAreTheLocalStacksOwn() {
        assertThat(DevTokenCommand.ISSUER).isEqualTo(DevTokens.ISSUER);
        assertThat(DevTokenCommand.AUDIENCE).isEqualTo(DevTokens.AUDIENCE);
    }

    @Test
    void aTokenIsSignedWithTheStacksKeyAndCarriesTenantAndGroup() throws Exception {
        DevKeys keys = DevKeys.ensure(dir.resolve("keys"), "users");
        Instant now = Instant.parse("2026-11-22T10:00:00Z");
        String jwt = DevTokenCommand.mint(DevTokenCommand.readKey(keys.privateKey()), "viewer@acme", "acme",
                List.of("viewer"), now, Duration.ofHours(1));
        String[] parts = jwt.split("\\.");
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initVerify(DevKeys.readPublic(keys.publicKey()));
        rsa.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertThat(rsa.verify(Base64.getUrlDecoder().decode(parts[2]))).isTrue();
        JsonNode header = Json.MAPPER.readTree(Base64.getUrlDecoder().decode(parts[0]));
        JsonNode claims = Json.MAPPER.readTree(Base64.getUrlDecoder().decode(parts[1]));
        assertThat(header.path("alg").asText()).isEqualTo("RS256");
        assertThat(claims.path("iss").asText()).isEqualTo(DevTokens.ISSUER);
        assertThat(claims.path("aud").asText()).isEqualTo(DevTokens.AUDIENCE);
        assertThat(claims.path("tenant").asText()).isEqualTo("acme");
        assertThat(claims.path("groups").get(0).asText()).isEqualTo("viewer");
        assertThat(claims.path("exp").asLong() - claims.path("iat").asLong()).isEqualTo(3600);
    }

    @Test
    void theCommandPrintsOnlyTheTokenAndWarnsOnStderr() {
        DevKeys.ensure(dir.resolve("keys"), "users");
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        int code = Hb.run(new String[] { "dev-token", "--tenant", "acme", "--group", "operator", "--data-dir",
                dir.toString() }, new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true));
        assertThat(code).isZero();
        assertThat(out.toString().trim()).matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
        assertThat(err.toString()).contains("LOCAL");
    }

    @Test
    void withoutTheStacksKeyTheErrorSaysWhy() {
        java.io.StringWriter err = new java.io.StringWriter();
        int code = Hb.run(new String[] { "dev-token", "--group", "admin", "--data-dir", dir.resolve("none")
                .toString() }, new java.io.PrintWriter(new java.io.StringWriter()), new java.io.PrintWriter(err, true));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("no development key");
    }
}
