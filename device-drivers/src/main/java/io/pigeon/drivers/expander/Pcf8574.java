package io.pigeon.drivers.expander;

import com.pi4j.io.i2c.I2C;

/**
 * NXP/TI PCF8574 (0x20-0x27) and PCF8574A (0x38-0x3F): eight quasi-bidirectional pins and one byte both ways. A
 * pin written 1 is weakly pulled high and can be read as an input; written 0 it sinks current. The latch cannot be
 * read back (a read gives the pins), so it is kept here: all 1 at power-up, as the chip starts.
 */
final class Pcf8574 extends Expander {
    private int latch = 0xFF; // guarded by lock

    Pcf8574(int bus, int address) {
        super(bus, address);
    }

    @Override
    String chip() {
        return "pcf8574";
    }

    @Override
    int pins() {
        return 8;
    }

    @Override
    void input(I2C i2c, int pin, boolean pullUp) {
        write(i2c, pin, true); // the weak pull-up is how an input reads: there is no other
    }

    @Override
    void interruptOnChange(I2C i2c, int pin) {
        // nothing to set: INT goes low on any input change and is cleared by the next read (datasheet 8.3)
    }

    @Override
    boolean read(I2C i2c, int pin) {
        return (i2c.read() & (1 << pin)) != 0;
    }

    @Override
    void output(I2C i2c, int pin, boolean level) {
        write(i2c, pin, level);
    }

    @Override
    void write(I2C i2c, int pin, boolean level) {
        synchronized (lock) {
            latch = level ? latch | 1 << pin : latch & ~(1 << pin);
            i2c.write((byte) latch);
        }
    }
}
