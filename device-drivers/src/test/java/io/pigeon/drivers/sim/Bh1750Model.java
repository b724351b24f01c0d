package io.pigeon.drivers.sim;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A simulated BH1750 as the datasheet describes it: commands for power on, measurement time (MTreg) and
 * continuous high-resolution mode; the data register reads 0 until the first conversion after the mode
 * command has finished (120 ms × MTreg / 69), then count = lux × 1.2 × MTreg / 69, high byte first.
 */
public final class Bh1750Model implements CommandModel {
    private volatile double lux = 300;
    private volatile boolean answering = true;
    private boolean powered;
    private int mtreg = 69;
    private long convertingSince = -1;
    private int byteIndex;
    private int latched;

    public void lux(double lux) {
        this.lux = lux;
    }

    /** A device that stops answering (loose wire): every access fails until {@code true} again. */
    public void answering(boolean answering) {
        this.answering = answering;
    }

    private void check() {
        if (!answering) {
            throw new UncheckedIOException(new IOException("Remote I/O error"));
        }
    }

    @Override
    public synchronized void command(int value) {
        check();
        if (value == 0x01) {
            powered = true;
        } else if (value == 0x00) {
            powered = false;
            convertingSince = -1;
        } else if ((value & 0xF8) == 0x40) {
            mtreg = (mtreg & 0x1F) | (value & 0x07) << 5;
        } else if ((value & 0xE0) == 0x60) {
            mtreg = (mtreg & 0xE0) | (value & 0x1F);
        } else if (value == 0x10 && powered) {
            convertingSince = System.nanoTime();
            byteIndex = 0;
        }
    }

    @Override
    public synchronized int read() {
        check();
        if (byteIndex++ % 2 == 0) {
            long typicalNanos = 120_000_000L * mtreg / 69;
            boolean ready = convertingSince >= 0 && System.nanoTime() - convertingSince >= typicalNanos;
            latched = ready ? (int) Math.min(0xFFFF, Math.round(lux * 1.2 * mtreg / 69)) : 0;
            return latched >> 8 & 0xFF;
        }
        return latched & 0xFF;
    }
}
