import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/**
 * DEVELOPMENT KEYS FOR docker compose ONLY. Run with a JDK's source launcher: {@code java DevKeys.java DIR}.
 *
 * <p>
 * Makes, once, the key pairs the local stack makes in .local-stack/keys (local-stack DevKeys): users-private.pem /
 * users-public.pem (the stand-in identity provider whose tokens the services verify) and devices-private.pem /
 * devices-public.pem (the registry signs device JWTs, ingest and the broker verify them); PKCS#8 and X.509 PEM. Then
 * it writes an admin token (tenant "local", group "admin", 30 days; the claims of local-stack DevTokens) to
 * DIR/admin-token and prints it. A real deployment takes users' tokens from its identity provider and its keys from
 * its secret store.
 */
public class DevKeys {

    static final String ISSUER = "https://heartbeat.local/dev-idp";
    static final String AUDIENCE = "heartbeat-platform";

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "keys");
        Files.createDirectories(dir);
        pair(dir, "users");
        pair(dir, "devices");
        String token = adminToken(dir.resolve("users-private.pem"));
        Files.writeString(dir.resolve("admin-token"), token + "\n");
        System.out.println("Development keys in " + dir + " (for docker compose only). Admin token (30 days):");
        System.out.println("export HEARTBEAT_TOKEN=" + token);
    }

    static void pair(Path dir, String name) throws Exception {
        Path priv = dir.resolve(name + "-private.pem");
        Path pub = dir.resolve(name + "-public.pem");
        if (Files.exists(priv) && Files.exists(pub)) {
            return;
        }
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        KeyPair pair = gen.generateKeyPair();
        Files.writeString(priv, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
        Files.writeString(pub, pem("PUBLIC KEY", pair.getPublic().getEncoded()));
    }

    static String adminToken(Path privateKey) throws Exception {
        String pem = Files.readString(privateKey).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        PrivateKey key = KeyFactory.getInstance("RSA")
                .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
        Instant now = Instant.now();
        String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
        String claims = "{\"iss\":\"" + ISSUER + "\",\"aud\":\"" + AUDIENCE + "\",\"sub\":\"local-admin\","
                + "\"upn\":\"local-admin\",\"jti\":\"" + UUID.randomUUID() + "\",\"iat\":" + now.getEpochSecond()
                + ",\"exp\":" + now.plus(Duration.ofDays(30)).getEpochSecond()
                + ",\"groups\":[\"admin\"],\"tenant\":\"local\"}";
        String signingInput = b64(header.getBytes(StandardCharsets.UTF_8)) + "."
                + b64(claims.getBytes(StandardCharsets.UTF_8));
        Signature rs256 = Signature.getInstance("SHA256withRSA");
        rs256.initSign(key);
        rs256.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + b64(rs256.sign());
    }

    static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
