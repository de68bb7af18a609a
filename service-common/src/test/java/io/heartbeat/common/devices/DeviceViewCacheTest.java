package io.heartbeat.common.devices;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.heartbeat.common.devices.DeviceViewCache.Change;
import io.heartbeat.contracts.DeviceView;
import io.heartbeat.contracts.EventFormatException;
import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.Protocol;
import io.heartbeat.contracts.Thresholds;

class DeviceViewCacheTest {

    static final Instant FIRST = Instant.parse("2026-01-01T00:00:00Z");
    static final Instant SECOND = Instant.parse("2026-06-01T00:00:00Z");

    final List<Change> changes = new ArrayList<>();
    final DeviceViewCache cache = new DeviceViewCache(v -> v.slim("healthUrl"));

    {
        cache.listen(changes::add);
    }

    static DeviceView view(String tenant, Instant createdAt, long revision) {
        return new DeviceView(DeviceView.SCHEMA_VERSION, "socket-1", tenant, "Kitchen socket", Protocol.MQTT,
                Map.of("healthUrl", "http://socket/health", "other", "x"), "default", Thresholds.DEFAULTS, true,
                false, "1.0.3", Map.of("room", "kitchen"), "sha256:" + "0".repeat(64), createdAt, revision, createdAt,
                createdAt);
    }

    @Test
    void keepsOnlyTheProjection() {
        cache.apply("socket-1", view("acme", FIRST, 1));

        DeviceView kept = cache.find("socket-1").orElseThrow();
        assertThat(kept.name()).isEmpty();
        assertThat(kept.metadata()).isEmpty();
        assertThat(kept.protocolConfig()).containsOnlyKeys("healthUrl");
        assertThat(changes).singleElement().satisfies(c -> {
            assertThat(c.before()).isNull();
            assertThat(c.after()).isEqualTo(kept);
        });
    }

    @Test
    void withinOneRegistrationOnlyAHigherRevisionReplacesTheView() {
        cache.apply("socket-1", view("acme", FIRST, 5));

        assertThat(cache.apply("socket-1", view("acme", FIRST, 5))).isNull();
        assertThat(cache.apply("socket-1", view("acme", FIRST, 4))).isNull();
        assertThat(cache.apply("socket-1", view("acme", FIRST, 6))).isNotNull();
        assertThat(cache.find("socket-1").orElseThrow().revision()).isEqualTo(6);
        assertThat(changes).hasSize(2).noneMatch(Change::newInstance);
    }

    @Test
    void aLaterRegistrationOfTheSameIdReplacesTheViewWhateverItsRevision() {
        // the tombstone between the two was compacted away; the id is now another tenant's device
        cache.apply("socket-1", view("acme", FIRST, 57));

        Change change = cache.apply("socket-1", view("globex", SECOND, 1));

        assertThat(change.newInstance()).isTrue();
        assertThat(change.before().tenantId()).isEqualTo("acme");
        assertThat(cache.find("socket-1").orElseThrow().tenantId()).isEqualTo("globex");
        // and the earlier registration read late changes nothing
        assertThat(cache.apply("socket-1", view("acme", FIRST, 58))).isNull();
    }

    @Test
    void aTombstoneRemovesTheDeviceAndIsReportedAsADeletion() {
        cache.apply("socket-1", view("acme", FIRST, 1));

        Change change = cache.apply("socket-1", null);

        assertThat(change.deleted()).isTrue();
        assertThat(change.before().tenantId()).isEqualTo("acme");
        assertThat(cache.find("socket-1")).isEmpty();
        assertThat(cache.apply("socket-1", null)).isNull();
        assertThat(cache.apply(null, view("acme", FIRST, 1))).isNull();
    }

    @Test
    void recordsAreReadWithTheContractsRules() {
        cache.applyRecord("socket-1", EventJson.write(view("acme", FIRST, 1)));
        assertThat(cache.size()).isEqualTo(1);

        // a JSON null is no tombstone: refused, the follower skips it and the device keeps its view
        assertThatThrownBy(() -> cache.applyRecord("socket-1", "null")).isInstanceOf(EventFormatException.class);
        cache.applyRecord("socket-1", null);
        assertThat(cache.size()).isZero();
    }

    @Test
    void isCaughtUpWhenNotFollowingAndFollowsOnlyOnce() {
        assertThat(cache.caughtUp()).isTrue();
        cache.follow("127.0.0.1:1", "test", java.time.Duration.ofMillis(10), java.time.Duration.ofMillis(10));
        assertThat(cache.caughtUp()).isFalse();
        assertThatThrownBy(() -> cache.follow("127.0.0.1:1", "test", java.time.Duration.ofMillis(10),
                java.time.Duration.ofMillis(10))).isInstanceOf(IllegalStateException.class);
    }
}
