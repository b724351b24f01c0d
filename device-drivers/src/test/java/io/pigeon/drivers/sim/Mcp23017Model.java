package io.pigeon.drivers.sim;

/**
 * A simulated MCP23017 (IOCON.BANK = 0): IODIR, GPPU, GPIO and OLAT for ports A and B. An input pin reads what is
 * wired to it ({@link #drive}), or its pull-up's 1 when nothing drives it and the pull-up is on, else 0; an output
 * pin reads its latch. Power-up: all inputs, no pull-ups, latches 0. GPINTEN, INTCON and IOCON are kept as written
 * (the test drives the INT line itself).
 */
public final class Mcp23017Model implements I2cModel {
    private final int[] iodir = {0xFF, 0xFF};
    private final int[] gppu = {0, 0};
    private final int[] olat = {0, 0};
    private final int[] driven = {0, 0};
    private final int[] drivenMask = {0, 0};
    private final int[] gpinten = {0, 0};
    private final int[] intcon = {0, 0};
    private int iocon;
    /** The address pointer: a register access sets it, a plain read reads there and moves it on (IOCON.SEQOP = 0). */
    private int pointer;

    /** Something outside drives {@code pin} high or low (a button to ground, a sensor's output). */
    public synchronized void drive(int pin, boolean high) {
        int port = pin / 8;
        int bit = 1 << (pin % 8);
        drivenMask[port] |= bit;
        driven[port] = high ? driven[port] | bit : driven[port] & ~bit;
    }

    /** The level an output pin puts out (its latch), as a relay on it would see. */
    public synchronized boolean output(int pin) {
        return (iodir[pin / 8] & (1 << (pin % 8))) == 0 && (olat[pin / 8] & (1 << (pin % 8))) != 0;
    }

    /** Whether a change of {@code pin} signals on INT (GPINTEN set, INTCON clear: against the previous value). */
    public synchronized boolean interruptOnChange(int pin) {
        int bit = 1 << (pin % 8);
        return (gpinten[pin / 8] & bit) != 0 && (intcon[pin / 8] & bit) == 0;
    }

    public synchronized int iocon() {
        return iocon;
    }

    public synchronized boolean pullUp(int pin) {
        return (gppu[pin / 8] & (1 << (pin % 8))) != 0;
    }

    @Override
    public synchronized int read() {
        int v = readRegister(pointer);
        pointer = (pointer + 1) % 0x16;
        return v;
    }

    @Override
    public synchronized int readRegister(int register) {
        pointer = register;
        int port = register & 1;
        return switch (register & ~1) {
            case 0x00 -> iodir[port];
            case 0x04 -> gpinten[port];
            case 0x08 -> intcon[port];
            case 0x0A -> iocon; // one register at both addresses
            case 0x0C -> gppu[port];
            case 0x14 -> olat[port];
            case 0x12 -> {
                int in = (driven[port] & drivenMask[port]) | (gppu[port] & ~drivenMask[port]);
                yield ((iodir[port] & in) | (~iodir[port] & olat[port])) & 0xFF;
            }
            default -> 0;
        };
    }

    @Override
    public synchronized void writeRegister(int register, int value) {
        pointer = register;
        int port = register & 1;
        switch (register & ~1) {
            case 0x00 -> iodir[port] = value & 0xFF;
            case 0x04 -> gpinten[port] = value & 0xFF;
            case 0x08 -> intcon[port] = value & 0xFF;
            case 0x0A -> iocon = value & 0xFF;
            case 0x0C -> gppu[port] = value & 0xFF;
            case 0x12, 0x14 -> olat[port] = value & 0xFF; // writing GPIO writes the latch
            default -> {
                // other registers: not used here
            }
        }
    }
}
