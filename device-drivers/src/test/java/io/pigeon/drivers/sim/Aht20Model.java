package io.pigeon.drivers.sim;

/**
 * A simulated AHT20 (datasheet 5.4-6.1): a status byte (0x18 once initialised: calibrated), the trigger command
 * 0xAC 0x33 0x00 that latches status, 20 bits of humidity, 20 bits of temperature and a CRC-8 for the next read.
 * Starts uncalibrated until it gets the initialisation command 0xBE 0x08 0x00, as a cold chip may.
 */
public final class Aht20Model implements CommandModel {
    private volatile double temperature = 21.5;
    private volatile double humidity = 45;
    private volatile boolean busy;
    private boolean calibrated;
    private final byte[] latched = new byte[7];
    private int next = 7;
    private int initialisations;

    public void set(double celsius, double relativeHumidity) {
        this.temperature = celsius;
        this.humidity = relativeHumidity;
    }

    /** The next measurement is still running when it is read (status bit 0x80). */
    public void busy(boolean busy) {
        this.busy = busy;
    }

    public synchronized int initialisations() {
        return initialisations;
    }

    @Override
    public synchronized void write(byte[] data) {
        int c = data[0] & 0xFF;
        if (c == 0xBE && data.length == 3 && data[1] == 0x08 && data[2] == 0x00) {
            calibrated = true;
            initialisations++;
        } else if (c == 0xAC && data.length == 3 && data[1] == 0x33 && data[2] == 0x00) {
            latch();
        }
    }

    private void latch() {
        int rh = (int) Math.max(0, Math.min((1 << 20) - 1, Math.round(humidity / 100 * (1 << 20))));
        int t = (int) Math.max(0, Math.min((1 << 20) - 1, Math.round((temperature + 50) / 200 * (1 << 20))));
        latched[0] = (byte) (status() | (busy ? 0x80 : 0));
        latched[1] = (byte) (rh >> 12);
        latched[2] = (byte) (rh >> 4);
        latched[3] = (byte) (((rh & 0x0F) << 4) | (t >> 16));
        latched[4] = (byte) (t >> 8);
        latched[5] = (byte) t;
        latched[6] = (byte) SensirionModel.crc8(latched, 0, 6);
        next = 0;
    }

    private int status() {
        return calibrated ? 0x18 : 0x10;
    }

    @Override
    public synchronized int read() {
        if (next < 7) {
            return latched[next++] & 0xFF;
        }
        return status();
    }

    @Override
    public void command(int value) {
        write(new byte[] {(byte) value});
    }
}
