package io.pigeon.drivers.expander;

import com.pi4j.io.i2c.I2C;

/**
 * Microchip MCP23017, 16 pins in two ports (datasheet table 3-5, IOCON.BANK = 0 as at power-up): IODIR (1 =
 * input) at 0x00/0x01, GPPU (pull-up) at 0x0C/0x0D, GPIO at 0x12/0x13, OLAT at 0x14/0x15. Pin n is bit n % 8 of port
 * A (0-7) or B (8-15). Interrupts: GPINTEN 0x04/0x05, INTCON 0x08/0x09 (0: on any change), IOCON 0x0A; reading
 * GPIO clears a pending interrupt (datasheet 3.6).
 */
final class Mcp23017 extends Expander {
    static final int IODIR = 0x00;
    static final int GPINTEN = 0x04;
    static final int INTCON = 0x08;
    static final int IOCON = 0x0A;
    /** IOCON: INTA and INTB mirrored (one line for both ports), open drain (the Pi's input pulls it up). */
    static final int MIRROR_ODR = 0x40 | 0x04;
    static final int GPPU = 0x0C;
    static final int GPIO = 0x12;
    static final int OLAT = 0x14;

    Mcp23017(int bus, int address) {
        super(bus, address);
    }

    @Override
    String chip() {
        return "mcp23017";
    }

    @Override
    int pins() {
        return 16;
    }

    private void setBit(I2C i2c, int base, int pin, boolean on) {
        synchronized (lock) {
            int register = base + pin / 8;
            int v = i2c.readRegister(register) & 0xFF;
            int bit = 1 << (pin % 8);
            i2c.writeRegister(register, (byte) (on ? v | bit : v & ~bit));
        }
    }

    @Override
    void input(I2C i2c, int pin, boolean pullUp) {
        setBit(i2c, IODIR, pin, true);
        setBit(i2c, GPPU, pin, pullUp);
    }

    @Override
    void interruptOnChange(I2C i2c, int pin) {
        synchronized (lock) {
            int iocon = i2c.readRegister(IOCON) & 0xFF;
            if ((iocon & MIRROR_ODR) != MIRROR_ODR) {
                i2c.writeRegister(IOCON, (byte) (iocon | MIRROR_ODR));
            }
        }
        setBit(i2c, INTCON, pin, false);
        setBit(i2c, GPINTEN, pin, true);
    }

    @Override
    boolean read(I2C i2c, int pin) {
        return (i2c.readRegister(GPIO + pin / 8) & (1 << (pin % 8))) != 0;
    }

    @Override
    void output(I2C i2c, int pin, boolean level) {
        setBit(i2c, OLAT, pin, level);
        setBit(i2c, IODIR, pin, false);
    }

    @Override
    void write(I2C i2c, int pin, boolean level) {
        setBit(i2c, OLAT, pin, level);
    }
}
