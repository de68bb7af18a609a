package io.heartbeat.command.config;

import java.time.Clock;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The clock every timer reads (one bean, so a test could replace it). */
public class ClockProducer {

    @Produces
    @Singleton
    static Clock clock() {
        return Clock.systemUTC();
    }
}
