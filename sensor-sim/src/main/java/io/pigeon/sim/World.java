package io.pigeon.sim;

import java.util.Random;

/**
 * A room the simulated sensors measure: temperature and humidity that drift with a day cycle and noise,
 * pressure that wanders, and actuators that matter: the heater relay warms the room, the fan (PWM duty)
 * cools it. Seeded, so a scenario replays the same way. Time is stepped explicitly.
 */
public final class World {
    private final Random random;
    private final double dayLengthSeconds;
    private double seconds;
    private double temperature = 20.0;
    private double humidity = 45.0;
    private double pressure = 1013.0;
    private volatile boolean heaterOn;
    private volatile double fanDuty;

    public World(long seed, double dayLengthSeconds) {
        this.random = new Random(seed);
        this.dayLengthSeconds = dayLengthSeconds;
    }

    /** Advances the world by {@code dt} seconds. */
    public synchronized void step(double dt) {
        seconds += dt;
        double outside = 15 + 5 * Math.sin(2 * Math.PI * seconds / dayLengthSeconds);
        // Leaks towards the outside, warmed by the heater, cooled by the fan.
        double dT = (outside - temperature) * 0.002 + (heaterOn ? 0.05 : 0) - fanDuty / 100.0 * 0.03;
        temperature += dT * dt + random.nextGaussian() * 0.005 * Math.sqrt(dt);
        humidity += ((55 - humidity) * 0.001 - (heaterOn ? 0.02 : 0)) * dt + random.nextGaussian() * 0.02 * Math.sqrt(dt);
        humidity = Math.max(5, Math.min(95, humidity));
        pressure += random.nextGaussian() * 0.02 * Math.sqrt(dt) + (1013 - pressure) * 0.0005 * dt;
    }

    public synchronized double temperature() {
        return temperature;
    }

    public synchronized double humidity() {
        return humidity;
    }

    public synchronized double pressure() {
        return pressure;
    }

    public void heater(boolean on) {
        heaterOn = on;
    }

    public boolean heaterOn() {
        return heaterOn;
    }

    public void fan(double duty) {
        fanDuty = duty;
    }

    public double fanDuty() {
        return fanDuty;
    }

    public synchronized double noise(double scale) {
        return random.nextGaussian() * scale;
    }

    public synchronized double uniform() {
        return random.nextDouble();
    }
}
