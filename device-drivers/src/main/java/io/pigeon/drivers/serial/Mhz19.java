package io.pigeon.drivers.serial;

import io.pigeon.drivers.Device;
import io.pigeon.drivers.DeviceContext;
import io.pigeon.drivers.DeviceException;
import io.pigeon.drivers.Settings;
import io.pigeon.drivers.Value;
import jssc.SerialPortException;
import org.jspecify.annotations.Nullable;

/**
 * Winsen MH-Z19B CO2 sensor (9600 baud): each poll sends the read command {@code FF 01 86 00 00 00 00 00 79};
 * the answer {@code FF 86 HH LL ...} carries the concentration HH × 256 + LL in ppm, with the checksum
 * 0xFF - (sum of bytes 1-7) + 1 (datasheet). A request left unanswered until the next poll makes that poll a
 * failed read. {@code self_calibration: false} switches the automatic baseline correction off at open (what an
 * indoor sensor that never sees fresh air wants), {@code true} on; without the setting the sensor keeps its own.
 */
public final class Mhz19 extends HeaderedFrameDevice implements Device.Polled {
    static final byte[] READ = command(0x86, 0);
    private final @Nullable Boolean selfCalibration; // null: the sensor keeps its own
    private volatile boolean waiting;

    public Mhz19(Settings s) {
        super(s, 9600, 0xFF, 0x86, 9);
        this.selfCalibration = s.has("self_calibration") ? s.bool("self_calibration", false) : null;
    }

    /** A 9-byte command with its checksum: {@code FF 01 cmd arg 00 00 00 00 cs}. */
    static byte[] command(int command, int argument) {
        byte[] c = {(byte) 0xFF, 0x01, (byte) command, (byte) argument, 0, 0, 0, 0, 0};
        c[8] = (byte) checksum(c);
        return c;
    }

    /** 0xFF - (sum of bytes 1-7) + 1: the checksum of a command or an answer, in its last byte. */
    public static int checksum(byte[] f) {
        int sum = 0;
        for (int i = 1; i < 8; i++) {
            sum += f[i] & 0xFF;
        }
        return (0xFF - (sum & 0xFF) + 1) & 0xFF;
    }

    /** The answer to the read command, as the sensor sends it: for tests and the simulator. */
    public static byte[] answer(int ppm) {
        byte[] a = {(byte) 0xFF, (byte) 0x86, (byte) (ppm >> 8), (byte) ppm, 0x47, 0, 0, 0, 0};
        a[8] = (byte) checksum(a);
        return a;
    }

    @Override
    public void open(DeviceContext ctx) throws DeviceException {
        super.open(ctx);
        waiting = false;
        if (selfCalibration != null) {
            send(command(0x79, selfCalibration ? 0xA0 : 0x00));
        }
    }

    @Override
    public void poll(DeviceContext ctx) throws DeviceException {
        boolean unanswered = waiting;
        waiting = true;
        send(READ);
        if (unanswered) {
            throw new DeviceException("no answer to the last request");
        }
    }

    private void send(byte[] command) throws DeviceException {
        try {
            link().write(command);
        } catch (SerialPortException e) {
            throw new DeviceException("port " + serial.port() + ": " + describe(e));
        }
    }

    @Override
    protected boolean intact(byte[] frame) {
        return checksum(frame) == (frame[8] & 0xFF);
    }

    @Override
    protected void frame(byte[] frame, DeviceContext ctx) {
        waiting = false;
        ctx.reading("co2", Value.number(((frame[2] & 0xFF) << 8) | (frame[3] & 0xFF), "ppm"));
    }
}
