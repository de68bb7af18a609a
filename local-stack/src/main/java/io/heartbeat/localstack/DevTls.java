package io.heartbeat.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.heartbeat.contracts.DeviceTokens;

/**
 * The broker's self-signed TLS certificate that the local stack makes on first start with {@code --mqtt-tls} and keeps
 * in its data directory ({@code keys/mqtt-tls.p12}, CN and SAN localhost / 127.0.0.1, 825 days), made with the JDK's
 * own {@code keytool}. FOR LOCAL USE ONLY: clients must trust it explicitly ({@code mosquitto_pub --insecure} or the
 * exported {@code keys/mqtt-tls.crt} as CA file); a real deployment brings a certificate from its CA.
 */
public final class DevTls {

    private DevTls() {
    }

    /** The key store in {@code dir}, generated first if it is not there, for a TLS listener on {@code port}. */
    public static MqttBroker.Tls ensure(Path dir, int port) {
        Path keystore = dir.resolve("mqtt-tls.p12");
        Path passwordFile = dir.resolve("mqtt-tls.password");
        Path certificate = dir.resolve("mqtt-tls.crt");
        try {
            Files.createDirectories(dir);
            if (!Files.exists(keystore) || !Files.exists(passwordFile)) {
                String password = DeviceTokens.generate();
                Files.deleteIfExists(keystore);
                keytool(List.of("-genkeypair", "-alias", "mqtt", "-keyalg", "RSA", "-keysize", "2048",
                        "-validity", "825", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                        "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", password,
                        "-keypass", password));
                keytool(List.of("-exportcert", "-rfc", "-alias", "mqtt", "-keystore", keystore.toString(),
                        "-storepass", password, "-file", certificate.toString()));
                Files.writeString(passwordFile, password, StandardCharsets.US_ASCII);
            }
            return new MqttBroker.Tls(port, keystore, Files.readString(passwordFile, StandardCharsets.US_ASCII).strip());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the broker's development TLS certificate in " + dir, e);
        }
    }

    /** The exported certificate (PEM), for clients to trust. */
    public static Path certificate(Path dir) {
        return dir.resolve("mqtt-tls.crt");
    }

    private static void keytool(List<String> args) throws IOException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> command = new java.util.ArrayList<>();
        command.add(keytool.toString());
        command.addAll(args);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                throw new IllegalStateException("keytool failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running keytool", e);
        }
    }
}
