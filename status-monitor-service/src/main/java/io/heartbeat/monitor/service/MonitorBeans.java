package io.heartbeat.monitor.service;

import java.time.Clock;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The clock the engine and the probes read (tests and the state machine take time as an argument). */
public class MonitorBeans {

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }
}
