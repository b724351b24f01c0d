package io.pigeon.drivers.sim;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A simulated Sensirion SHT4x or SHT3x as their datasheets describe them: a measurement command latches six
 * bytes (temperature word, CRC-8, humidity word, CRC-8; polynomial 0x31, init 0xFF) that the following reads
 * return. {@link #corruptNextCrc} and {@link #answering} make the faults the drivers must survive.
 */
public final class SensirionModel implements CommandModel {
    private final boolean sht4;
    private volatile double temperature = 21.5;
    private volatile double humidity = 45;
    private volatile boolean answering = true;
    private volatile boolean corruptNextCrc;
    private final byte[] latched = new byte[6];
    private int next = 6;
    private int measurements;

    private SensirionModel(boolean sht4) {
        this.sht4 = sht4;
    }

    public static SensirionModel sht4x() {
        return new SensirionModel(true);
    }

    public static SensirionModel sht3x() {
        return new SensirionModel(false);
    }

    public void set(double celsius, double relativeHumidity) {
        this.temperature = celsius;
        this.humidity = relativeHumidity;
    }

    public void answering(boolean answering) {
        this.answering = answering;
    }

    public void corruptNextCrc() {
        this.corruptNextCrc = true;
    }

    public synchronized int measurements() {
        return measurements;
    }

    private void check() {
        if (!answering) {
            throw new UncheckedIOException(new IOException("Remote I/O error"));
        }
    }

    @Override
    public synchronized void write(byte[] data) {
        check();
        int command = data.length == 1 ? data[0] & 0xFF : (data[0] & 0xFF) << 8 | (data[1] & 0xFF);
        boolean measure = sht4 ? command == 0xFD || command == 0xF6 || command == 0xE0 : command == 0x2400;
        if (measure) {
            latch();
        }
    }

    @Override
    public void command(int value) {
        write(new byte[] {(byte) value});
    }

    private void latch() {
        measurements++;
        int t = (int) Math.round((temperature + 45) * 65_535 / 175);
        int rh = (int) Math.round((sht4 ? humidity + 6 : humidity) * 65_535 / (sht4 ? 125 : 100));
        t = Math.max(0, Math.min(65_535, t));
        rh = Math.max(0, Math.min(65_535, rh));
        latched[0] = (byte) (t >> 8);
        latched[1] = (byte) t;
        latched[2] = (byte) crc8(latched, 0, 2);
        latched[3] = (byte) (rh >> 8);
        latched[4] = (byte) rh;
        latched[5] = (byte) crc8(latched, 3, 2);
        if (corruptNextCrc) {
            corruptNextCrc = false;
            latched[5] ^= 0x01;
        }
        next = 0;
    }

    /** Sensirion's CRC-8, written again here from the datasheet so that the driver's is not checked by itself. */
    static int crc8(byte[] data, int offset, int length) {
        int crc = 0xFF;
        for (int i = offset; i < offset + length; i++) {
            crc ^= data[i] & 0xFF;
            for (int bit = 0; bit < 8; bit++) {
                crc = ((crc & 0x80) != 0 ? (crc << 1) ^ 0x31 : crc << 1) & 0xFF;
            }
        }
        return crc;
    }

    @Override
    public synchronized int read() {
        check();
        return next < 6 ? latched[next++] & 0xFF : 0xFF;
    }
}
