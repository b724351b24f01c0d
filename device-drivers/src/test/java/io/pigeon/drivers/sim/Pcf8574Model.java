package io.pigeon.drivers.sim;

/**
 * A simulated PCF8574: one byte written sets the pins (1 = weak pull-up, 0 = driven low); a read returns the pins:
 * a pin written 0 reads 0, a pin written 1 reads what pulls it low from outside ({@link #drive}), else 1.
 */
public final class Pcf8574Model implements CommandModel {
    private int written = 0xFF;
    private int pulledLow;
    private int writes;

    public synchronized void drive(int pin, boolean high) {
        pulledLow = high ? pulledLow & ~(1 << pin) : pulledLow | 1 << pin;
    }

    /** Whether the chip drives {@code pin} low (a relay board's input on it is then active). */
    public synchronized boolean low(int pin) {
        return (written & (1 << pin)) == 0;
    }

    public synchronized int writes() {
        return writes;
    }

    @Override
    public synchronized void command(int value) {
        written = value & 0xFF;
        writes++;
    }

    @Override
    public synchronized int read() {
        return written & ~pulledLow & 0xFF;
    }
}
