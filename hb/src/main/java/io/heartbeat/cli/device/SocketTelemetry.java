package io.heartbeat.cli.device;

import java.util.random.RandomGenerator;

/**
 * A simulated seed 002 smart socket: mains voltage around 230 V, a load that draws current only while the relay is
 * on, power from the two, and the energy meter adding up. The relay is what the {@code relay} commands switch.
 */
public final class SocketTelemetry {

    private final RandomGenerator random;
    private final double load;
    private volatile boolean relayOn = true;
    private double energyKwh;
    private long lastNanos = System.nanoTime();

    public SocketTelemetry(RandomGenerator random) {
        this.random = random;
        this.load = 0.2 + random.nextDouble() * 9.8; // amps the plugged-in appliance draws
    }

    public boolean relayOn() {
        return relayOn;
    }

    public void relay(boolean on) {
        this.relayOn = on;
    }

    /** One reading, as the socket's heartbeat fields. */
    public synchronized Reading read() {
        double voltage = 230 + (random.nextDouble() * 2 - 1) * 5;
        double current = relayOn ? load * (0.95 + random.nextDouble() * 0.1) : 0;
        double power = voltage * current * 0.95;
        long now = System.nanoTime();
        energyKwh += power * ((now - lastNanos) / 3.6e12);
        lastNanos = now;
        return new Reading(round(voltage, 1), round(current, 2), round(power, 1), round(energyKwh, 4), relayOn);
    }

    public record Reading(double voltage, double current, double power, double energy, boolean relayOn) {
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}
