package io.heartbeat.broker;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import io.heartbeat.contracts.DeviceTokens;

/**
 * The extension's settings: where Kafka is (to follow {@code registry.devices}), how device JWTs are checked, and the
 * service accounts' passwords.
 *
 * <p>
 * A standalone broker reads them from {@code conf/heartbeat-broker.properties} in the extension's folder, each key
 * overridable by an environment variable ({@code HEARTBEAT_BROKER_} + the key in upper case, {@code .} and {@code -}
 * as {@code _}); an embedded broker is given them ({@link #of(Map)}). The keys are in the shipped
 * {@code heartbeat-broker.properties}.
 *
 * @param kafkaBootstrapServers {@code kafka.bootstrap.servers}; null: no device can connect (only service accounts)
 * @param kafkaProperties every other {@code kafka.*} key, without the prefix, for the consumer (TLS, SASL, ...)
 * @param deviceJwtPublicKeyLocation the registry's device public key; empty: device JWTs are refused
 * @param deviceJwtIssuer the {@code iss} device JWTs must have
 * @param deviceJwtAudience the {@code aud} device JWTs must have
 * @param deviceJwtClockSkew clock difference tolerated for {@code exp}
 * @param servicePasswords each service account's password, or its {@code sha256:} hash
 * @param followerClientId the Kafka client id of the view follower
 */
public record BrokerSettings(String kafkaBootstrapServers, Map<String, String> kafkaProperties,
        Optional<String> deviceJwtPublicKeyLocation, String deviceJwtIssuer, String deviceJwtAudience,
        Duration deviceJwtClockSkew, Map<ServiceAccount, String> servicePasswords, String followerClientId) {

    public static final String FILE = "conf/heartbeat-broker.properties";
    static final String ENV_PREFIX = "HEARTBEAT_BROKER_";

    /** The settings in {@code properties} (keys as in {@link #FILE}). */
    public static BrokerSettings of(Map<String, String> properties) {
        Map<String, String> kafka = new LinkedHashMap<>();
        properties.forEach((key, value) -> {
            if (key.startsWith("kafka.") && !key.equals("kafka.bootstrap.servers")) {
                kafka.put(key.substring("kafka.".length()), value);
            }
        });
        Map<ServiceAccount, String> passwords = new EnumMap<>(ServiceAccount.class);
        for (ServiceAccount account : ServiceAccount.values()) {
            String password = properties.get(passwordKey(account));
            if (password != null && !password.isBlank()) {
                passwords.put(account, password);
            }
        }
        return new BrokerSettings(blankToNull(properties.get("kafka.bootstrap.servers")), Map.copyOf(kafka),
                Optional.ofNullable(blankToNull(properties.get("device-jwt.public-key-location"))),
                properties.getOrDefault("device-jwt.issuer", "heartbeat-registry"),
                properties.getOrDefault("device-jwt.audience", "heartbeat-devices"),
                Duration.parse(properties.getOrDefault("device-jwt.clock-skew", "PT30S")),
                passwords,
                properties.getOrDefault("follower.client-id", "heartbeat-broker-device-views"));
    }

    /** The settings of a broker that loaded the extension from {@code extensionHome}: the file, then the environment. */
    public static BrokerSettings load(Path extensionHome, Map<String, String> environment) {
        Map<String, String> merged = new LinkedHashMap<>();
        Path file = extensionHome.resolve(FILE);
        if (Files.exists(file)) {
            Properties p = new Properties();
            try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
            p.stringPropertyNames().forEach(k -> merged.put(k, p.getProperty(k)));
        }
        for (String key : knownKeys()) {
            String value = environment.get(envName(key));
            if (value != null) {
                merged.put(key, value);
            }
        }
        environment.forEach((name, value) -> {
            // further Kafka client settings: HEARTBEAT_BROKER_KAFKA_SECURITY_PROTOCOL -> kafka.security.protocol
            if (name.startsWith(ENV_PREFIX + "KAFKA_") && !name.equals(envName("kafka.bootstrap.servers"))) {
                merged.put("kafka." + name.substring((ENV_PREFIX + "KAFKA_").length()).toLowerCase(Locale.ROOT)
                        .replace('_', '.'), value);
            }
        });
        return of(merged);
    }

    public static String passwordKey(ServiceAccount account) {
        return "service-account." + account.username() + ".password";
    }

    static String envName(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static String[] knownKeys() {
        String[] fixed = { "kafka.bootstrap.servers", "device-jwt.public-key-location", "device-jwt.issuer",
                "device-jwt.audience", "device-jwt.clock-skew", "follower.client-id" };
        String[] keys = new String[fixed.length + ServiceAccount.values().length];
        System.arraycopy(fixed, 0, keys, 0, fixed.length);
        for (ServiceAccount account : ServiceAccount.values()) {
            keys[fixed.length + account.ordinal()] = passwordKey(account);
        }
        return keys;
    }

    /** Whether {@code presented} is the account's password (constant time; the setting may be a sha256: hash). */
    boolean passwordMatches(ServiceAccount account, String presented) {
        String expected = servicePasswords.get(account);
        if (expected == null || presented == null) {
            return false;
        }
        if (expected.startsWith(DeviceTokens.HASH_PREFIX)) {
            return DeviceTokens.matches(presented, expected.toLowerCase(Locale.ROOT));
        }
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                presented.getBytes(StandardCharsets.UTF_8));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    @Override
    public String toString() {
        // never the passwords
        return "BrokerSettings[kafka=" + kafkaBootstrapServers + ", deviceJwtKey=" + deviceJwtPublicKeyLocation
                + ", serviceAccounts=" + servicePasswords.keySet() + "]";
    }
}
