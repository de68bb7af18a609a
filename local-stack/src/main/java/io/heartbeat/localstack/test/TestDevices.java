package io.heartbeat.localstack.test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import io.heartbeat.contracts.DeviceTokens;

/** What tests that play devices share. */
public final class TestDevices {

    private TestDevices() {
    }

    /**
     * TEST ONLY: the API token of test device {@code id}, derived from its id so the view (its hash) and the device's
     * MQTT client agree on it without passing it around. Real tokens are random ({@link DeviceTokens#generate()}).
     */
    public static String token(String id) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(("test-only-device-token:" + id).getBytes(StandardCharsets.UTF_8));
            return "testonly" + HexFormat.of().formatHex(digest).substring(0, DeviceTokens.LENGTH - 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
