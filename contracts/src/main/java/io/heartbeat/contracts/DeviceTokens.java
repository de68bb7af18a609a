package io.heartbeat.contracts;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Device API tokens: 64 random characters, shown to the owner once; only {@link #hash(String)} is stored (by the
 * registry) and carried in {@link DeviceView#tokenHash()} (for ingest to check a presented token). A token has about
 * 380 bits of entropy, so a fast unsalted SHA-256 is safe here, unlike for passwords, and cheap enough to check on
 * every heartbeat.
 */
public final class DeviceTokens {

    public static final int LENGTH = 64;
    public static final String HASH_PREFIX = "sha256:";
    private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
            .toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private DeviceTokens() {
    }

    /** A new random token of {@value #LENGTH} characters from [A-Za-z0-9]. */
    public static String generate() {
        char[] token = new char[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            token[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return new String(token);
    }

    /** {@code sha256:} followed by the lowercase hex SHA-256 of the token's UTF-8 bytes. */
    public static String hash(String token) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return HASH_PREFIX + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** Whether {@code token} hashes to {@code storedHash}, compared in constant time. */
    public static boolean matches(String token, String storedHash) {
        if (token == null || storedHash == null) {
            return false;
        }
        return MessageDigest.isEqual(hash(token).getBytes(StandardCharsets.US_ASCII),
                storedHash.getBytes(StandardCharsets.US_ASCII));
    }
}
