package io.heartbeat.registry.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Registry settings; each can be set by environment variable (e.g. HEARTBEAT_REGISTRY_PAGING_MAX_SIZE). */
@ConfigMapping(prefix = "heartbeat.registry")
public interface RegistryConfig {

    Outbox outbox();

    Paging paging();

    /**
     * Most devices one tenant may have; a create beyond it is refused (409, type tenant-quota-exceeded). Bounds what
     * one tenant can make every service hold in memory (each keeps a view of every device).
     */
    @WithDefault("10000")
    int maxDevicesPerTenant();

    /**
     * Most devices one {@code POST /api/v1/devices/batch} may register; a larger batch is refused (413). Bounds the
     * transaction and the answer of one request; the body must also fit {@code quarkus.http.limits.max-body-size}.
     */
    @WithDefault("1000")
    int maxBatchSize();

    interface Outbox {
        /** How often the relay looks for unpublished outbox rows (read by its @Scheduled). */
        @WithDefault("1s")
        Duration pollInterval();

        /** Most outbox rows published in one relay run. */
        @WithDefault("200")
        int batchSize();
    }

    interface Paging {
        /** Page size when the request names none. */
        @WithDefault("50")
        int defaultSize();

        /** Largest page size a request may ask for. */
        @WithDefault("500")
        int maxSize();
    }
}
