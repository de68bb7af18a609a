package io.heartbeat.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.heartbeat.contracts.golden.GoldenFixtures;

class DeviceTokensTest {

    @Test
    void hashIsPrefixedLowercaseSha256Hex() {
        // the SHA-256 test vector of "abc" (FIPS 180-2)
        assertThat(DeviceTokens.hash("abc"))
                .isEqualTo("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void aTokenMatchesOnlyItsOwnHash() {
        String hash = DeviceTokens.hash("token-a");

        assertThat(DeviceTokens.matches("token-a", hash)).isTrue();
        assertThat(DeviceTokens.matches("token-b", hash)).isFalse();
        assertThat(DeviceTokens.matches(null, hash)).isFalse();
        assertThat(DeviceTokens.matches("token-a", null)).isFalse();
    }

    @Test
    void generatedTokensAreLongRandomAndAlphanumeric() {
        String token = DeviceTokens.generate();

        assertThat(token).hasSize(DeviceTokens.LENGTH).matches("[A-Za-z0-9]+");
        assertThat(DeviceTokens.generate()).isNotEqualTo(token);
    }

    @Test
    void theDeviceViewFixtureTokenMatchesItsHash() {
        DeviceView view = GoldenFixtures.read("device-view", DeviceView.class);

        assertThat(DeviceTokens.matches(GoldenFixtures.DEVICE_VIEW_TOKEN, view.tokenHash())).isTrue();
    }
}
