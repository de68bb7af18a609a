package io.heartbeat.cli.ops;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.heartbeat.cli.ExitCode;
import io.heartbeat.cli.UsageException;
import io.heartbeat.cli.config.DurationConverter;
import io.heartbeat.cli.config.HbConfig;
import io.heartbeat.cli.http.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hb dev-token}: a user token signed with the local stack's development key, with the claims the services
 * read (issuer, audience, {@code groups}, {@code tenant}), so the role and tenant rules can be tried without an
 * identity provider. LOCAL USE ONLY: the key is one the local stack generated on this machine.
 */
@Command(name = "dev-token", description = "LOCAL ONLY: mint a user token with the local stack's development key "
        + "(DATA_DIR/keys/users-private.pem) for a tenant and group; prints the token.")
public final class DevTokenCommand implements Callable<Integer> {

    /** As the local stack's {@code DevTokens}; the services verify both ({@code DevTokenCommandTest} compares). */
    public static final String ISSUER = "https://heartbeat.local/dev-idp";
    public static final String AUDIENCE = "heartbeat-platform";

    public enum Group {
        viewer,
        operator,
        admin
    }

    @Option(names = "--tenant", paramLabel = "TENANT", description = "required for viewer and operator; admin: "
            + "default local")
    String tenant;
    @Option(names = "--group", required = true, paramLabel = "GROUP", description = "viewer, operator or admin")
    Group group;
    @Option(names = "--subject", paramLabel = "NAME", description = "default GROUP@TENANT")
    String subject;
    @Option(names = "--lifetime", paramLabel = "DURATION", defaultValue = "1h", converter = DurationConverter.class, description = "default ${DEFAULT-VALUE}")
    Duration lifetime;
    @Option(names = "--key", paramLabel = "FILE", description = "the PKCS#8 PEM key (default: dev.key of the config "
            + "file, else --data-dir's keys/users-private.pem)")
    Path key;
    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = ".local-stack", description = "the local stack's data directory (default ${DEFAULT-VALUE})")
    Path dataDir;
    @Option(names = "--config", paramLabel = "FILE")
    Path config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (tenant == null && group != Group.admin) {
            throw new UsageException("--tenant is required for a " + group + " token");
        }
        String t = tenant == null ? "local" : tenant;
        Path file = key;
        if (file == null) {
            HbConfig c = HbConfig.resolve(java.util.Map.of(), System::getenv, config);
            file = c.devKey() != null ? c.devKey() : dataDir.resolve("keys").resolve("users-private.pem");
        }
        if (!Files.isRegularFile(file)) {
            throw new UsageException("no development key at " + file + ": start the local stack (it generates one), "
                    + "or pass --key / --data-dir");
        }
        spec.commandLine().getErr().println("hb: a LOCAL development token (signed with " + file + "); never use "
                + "this key anywhere else");
        spec.commandLine().getOut().println(mint(readKey(file), subject != null ? subject : group + "@" + t, t,
                List.of(group.name()), Instant.now(), lifetime));
        spec.commandLine().getOut().flush();
        return ExitCode.OK;
    }

    /** A compact RS256 JWT with the local stack's claims. */
    public static String mint(PrivateKey key, String subject, String tenant, List<String> groups, Instant now,
            Duration lifetime) throws GeneralSecurityException {
        ObjectNode header = Json.object().put("alg", "RS256").put("typ", "JWT");
        ObjectNode claims = Json.object().put("iss", ISSUER).put("aud", AUDIENCE).put("sub", subject)
                .put("upn", subject).put("jti", UUID.randomUUID().toString()).put("iat", now.getEpochSecond())
                .put("exp", now.plus(lifetime).getEpochSecond()).put("tenant", tenant);
        groups.forEach(claims.putArray("groups")::add);
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String signingInput = b64.encodeToString(Json.write(header).getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(Json.write(claims).getBytes(StandardCharsets.UTF_8));
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initSign(key);
        rsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + b64.encodeToString(rsa.sign());
    }

    static PrivateKey readKey(Path file) throws java.io.IOException, GeneralSecurityException {
        String body = Files.readString(file, StandardCharsets.US_ASCII).replaceAll("-----[A-Z ]+-----", "")
                .replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder()
                .decode(body)));
    }
}
