package io.pigeon.drivers.serial;

import io.pigeon.drivers.Command;
import io.pigeon.drivers.Device;
import io.pigeon.drivers.DeviceContext;
import io.pigeon.drivers.DeviceException;
import io.pigeon.drivers.DeviceKind;
import io.pigeon.drivers.Settings;
import io.pigeon.drivers.Value;
import java.util.ArrayList;
import java.util.List;
import jssc.SerialPortException;

/**
 * A Modbus RTU master on a serial line (RS-485 adapter): at each poll reads the configured holding and
 * input registers (functions 3 and 4) of one slave, and writes single registers (function 6) on command.
 * Every response is CRC-checked; a timeout, a bad CRC or an exception response is counted and reported
 * as the device's trouble, while the port stays open.
 */
public final class ModbusRtu extends SerialDevice implements Device.Polled, Device.Actuator {
    private static final String[] EXCEPTIONS = {"", "illegal function", "illegal data address",
        "illegal data value", "slave device failure", "acknowledge", "slave device busy", "", "memory parity error",
        "", "gateway path unavailable", "gateway target device failed to respond"};

    private final int slave;
    private final long timeoutMillis;
    private final List<ModbusRegister> registers = new ArrayList<>();
    private final byte[] response = new byte[256];
    private int responseLength;

    public ModbusRtu(Settings s) {
        super(s, 9600);
        this.slave = s.integer("slave", 1, 1, 247);
        this.timeoutMillis = s.duration("response_timeout", java.time.Duration.ofMillis(500)).toMillis();
        for (Settings r : s.blocks("registers")) {
            registers.add(ModbusRegister.from(r));
        }
        if (registers.isEmpty()) {
            throw s.error("registers", "needs at least one register: {name, address, function, type, scale}");
        }
    }

    @Override
    public DeviceKind kind() {
        return registers.stream().anyMatch(ModbusRegister::writable) ? DeviceKind.BOTH : DeviceKind.SENSOR;
    }

    @Override
    public Command safeState() {
        return null;
    }

    public List<ModbusRegister> registers() {
        return registers;
    }

    @Override
    protected void reset() {
        responseLength = 0;
    }

    @Override
    protected void received(byte[] data, int length, DeviceContext ctx) {
        int n = Math.min(length, response.length - responseLength);
        System.arraycopy(data, 0, response, responseLength, n);
        responseLength += n;
        if (n < length) {
            ctx.count("overruns");
        }
        notifyAll();
    }

    /** Builds a request frame with its CRC. */
    public static byte[] request(int slave, int function, int address, int value) {
        return ModbusCrc.append(new byte[] {(byte) slave, (byte) function, (byte) (address >> 8), (byte) address,
            (byte) (value >> 8), (byte) value});
    }

    @Override
    public void poll(DeviceContext ctx) throws DeviceException {
        for (ModbusRegister r : registers) {
            byte[] frame = transact(ctx, request(slave, r.function(), r.address(), r.type().words),
                3 + 2 * r.type().words + 2);
            if (frame == null) {
                return; // trouble already reported; try again at the next poll
            }
            good();
            ctx.reading(r.name(), Value.number(r.decode(frame, 3), r.unit()));
        }
    }

    @Override
    public void apply(Command command, DeviceContext ctx) throws DeviceException {
        if (!(command instanceof Command.Write w)) {
            throw new DeviceException("a Modbus device takes {\"register\": name, \"value\": number}");
        }
        ModbusRegister r = registers.stream().filter(x -> x.name().equals(w.target())).findFirst()
            .orElseThrow(() -> new DeviceException("no register '" + w.target() + "'"));
        if (!r.writable()) {
            throw new DeviceException("register '" + r.name() + "' is not writable");
        }
        int raw;
        try {
            raw = r.encode(w.value());
        } catch (IllegalArgumentException e) {
            throw new DeviceException(e.getMessage());
        }
        byte[] req = request(slave, 6, r.address(), raw);
        byte[] echo = transact(ctx, req, req.length);
        if (echo == null) {
            throw new DeviceException("register '" + r.name() + "' was not written: no valid answer from slave " + slave);
        }
        ctx.reading(r.name(), Value.number(r.decode(echo, 4), r.unit()));
    }

    /**
     * Sends a request and waits for a response of {@code expected} bytes (or an exception response);
     * returns the checked frame, or null after reporting why there is none.
     */
    private byte[] transact(DeviceContext ctx, byte[] request, int expected) throws DeviceException {
        synchronized (this) {
            responseLength = 0;
            SerialLink l = link();
            if (l == null) {
                throw new DeviceException("port " + serial.port() + " is closed");
            }
            try {
                l.write(request);
            } catch (SerialPortException e) {
                throw new DeviceException("port " + serial.port() + " write failed: " + e.getExceptionType());
            }
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
            while (responseLength < expected && !isException()) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    bad(ctx, "timeouts", "no response from slave " + slave);
                    ctx.trouble("no response from slave " + slave + " within " + timeoutMillis + " ms");
                    return null;
                }
                try {
                    wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new DeviceException("interrupted");
                }
            }
            int length = isException() ? 5 : expected;
            if (!ModbusCrc.valid(response, length)) {
                bad(ctx, "crc_errors", "CRC errors");
                return null;
            }
            if (response[0] != (byte) slave) {
                bad(ctx, "crc_errors", "answers from the wrong slave");
                return null;
            }
            if (isException()) {
                int code = response[2] & 0xFF;
                ctx.count("exceptions");
                ctx.trouble("slave " + slave + " answered exception " + code
                    + (code < EXCEPTIONS.length && !EXCEPTIONS[code].isEmpty() ? " (" + EXCEPTIONS[code] + ")" : ""));
                return null;
            }
            return java.util.Arrays.copyOf(response, length);
        }
    }

    private boolean isException() {
        return responseLength >= 5 && (response[1] & 0x80) != 0;
    }
}
