package io.heartbeat.ingest.service;

import java.time.Clock;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.heartbeat.ingest.config.IngestConfig;

/** The plain (Quarkus-free) logic classes as beans, configured from {@link IngestConfig}. */
public class IngestBeans {

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }

    @Produces
    @Singleton
    RateLimiter rateLimiter() {
        return new RateLimiter();
    }

    @Produces
    @Singleton
    HeartbeatValidator validator(IngestConfig config) {
        IngestConfig.Ranges r = config.ranges();
        return new HeartbeatValidator(new HeartbeatValidator.Limits(r.heartRateMin(), r.heartRateMax(),
                r.heartRateLow(), r.heartRateHigh(), r.voltageMin(), r.voltageMax(), r.currentMin(), r.currentMax(),
                r.powerMin(), r.powerMax(), r.energyMin(), r.energyMax()), config.maxFutureSkew(), config.maxAge(),
                config.timestampPolicy());
    }
}
