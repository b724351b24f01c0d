package io.pigeon.drivers.serial;

import io.pigeon.drivers.Command;
import io.pigeon.drivers.Device;
import io.pigeon.drivers.DeviceContext;
import io.pigeon.drivers.DeviceException;
import io.pigeon.drivers.DeviceKind;
import io.pigeon.drivers.Settings;
import io.pigeon.drivers.Value;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import jssc.SerialPortException;
import org.jspecify.annotations.Nullable;

/**
 * A Modbus RTU master on a serial line (RS-485 adapter): at each poll reads the configured holding and
 * input registers (functions 3 and 4) of one slave, and writes single registers (function 6) on command.
 *
 * <p>Each register stands alone: an exception answer (say, 2: illegal data address) or a value that is no
 * number (a float32 NaN, the usual "no value") is counted for that register, logged once and not published,
 * and the others are read as usual. A slave that answers at all is working; a poll fails only when no
 * register got a valid answer (the slave is silent or every frame is garbled), and the device goes offline
 * only after {@code errors_before_offline} such polls in a row.
 *
 * <p>Every answer is checked: CRC, slave address, function code and byte count. Frames are separated by
 * at least 3.5 character times of silence (1.75 ms above 19,200 baud), as the RTU framing requires. With
 * {@code echo: true} the driver first reads back its own request, as RS-485 adapters without echo
 * suppression deliver it.
 */
public final class ModbusRtu extends SerialDevice implements Device.Polled, Device.Actuator {
    private static final String[] EXCEPTIONS = {"", "illegal function", "illegal data address",
        "illegal data value", "slave device failure", "acknowledge", "slave device busy", "", "memory parity error",
        "", "gateway path unavailable", "gateway target device failed to respond"};

    private final int slave;
    private final long timeoutMillis;
    private final boolean echo;
    private final long silenceNanos;
    private final List<ModbusRegister> registers = new ArrayList<>();
    private final byte[] response = new byte[512];
    private int responseLength;
    private long lastTrafficNanos;

    /** Why one transaction gave no value. */
    private enum Outcome { OK, TIMEOUT, GARBLED, EXCEPTION }

    public ModbusRtu(Settings s) {
        super(s, 9600);
        this.slave = s.integer("slave", 1, 1, 247);
        this.timeoutMillis = s.duration("response_timeout", Duration.ofMillis(500)).toMillis();
        if (timeoutMillis < 10 || timeoutMillis > 10_000) {
            throw s.error("response_timeout", "must be between 10ms and 10s");
        }
        this.echo = s.bool("echo", false);
        this.silenceNanos = silenceNanos(serial.baud());
        for (Settings r : s.blocks("registers")) {
            registers.add(ModbusRegister.from(r));
        }
        if (registers.isEmpty()) {
            throw s.error("registers", "needs at least one register: {name, address, function, type, scale}");
        }
    }

    /** 3.5 characters of 11 bits, or the fixed 1.75 ms the specification sets above 19,200 baud. */
    static long silenceNanos(int baud) {
        return baud > 19_200 ? 1_750_000 : (long) Math.ceil(3.5 * 11 * 1e9 / baud);
    }

    @Override
    public DeviceKind kind() {
        return registers.stream().anyMatch(ModbusRegister::writable) ? DeviceKind.BOTH : DeviceKind.SENSOR;
    }

    @Override
    public @Nullable Command safeState() {
        return null;
    }

    public List<ModbusRegister> registers() {
        return registers;
    }

    @Override
    public List<String> declaredReadings() {
        return registers.stream().map(ModbusRegister::name).toList();
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
        lastTrafficNanos = System.nanoTime();
        notifyAll();
    }

    /** Builds a request frame with its CRC. */
    public static byte[] request(int slave, int function, int address, int value) {
        return ModbusCrc.append(new byte[] {(byte) slave, (byte) function, (byte) (address >> 8), (byte) address,
            (byte) (value >> 8), (byte) value});
    }

    @Override
    public void poll(DeviceContext ctx) throws DeviceException {
        int answered = 0;
        int garbled = 0;
        for (ModbusRegister r : registers) {
            int words = r.type().words;
            byte[] req = request(slave, r.function(), r.address(), words);
            byte[] frame = new byte[3 + 2 * words + 2];
            Outcome o = transact(ctx, req, frame, r.name());
            if (o == Outcome.TIMEOUT || o == Outcome.GARBLED) {
                garbled += o == Outcome.GARBLED ? 1 : 0;
                continue;
            }
            answered++;
            if (o == Outcome.EXCEPTION) {
                ctx.alive(); // an exception answer is an answer: the slave is there
            } else {
                double v = r.decode(frame, 3);
                if (Double.isFinite(v)) {
                    ctx.reading(r.name(), Value.number(v, r.unit()));
                } else {
                    ctx.rejected(r.name(), "the slave holds " + v + " (no value)");
                }
            }
        }
        if (answered == 0) {
            throw new DeviceException(garbled == 0
                ? "no response from slave " + slave + " within " + timeoutMillis + " ms"
                : "no valid answer from slave " + slave + " (" + garbled + " with CRC or framing errors)");
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
        byte[] answer = new byte[req.length];
        Outcome o = transact(ctx, req, answer, r.name());
        if (o == Outcome.OK && !Arrays.equals(answer, req)) {
            ctx.count("frame_errors");
            o = Outcome.GARBLED;
        }
        switch (o) {
            case OK -> ctx.reading(r.name(), Value.number(r.decode(answer, 4), r.unit()));
            case EXCEPTION -> throw new DeviceException("register '" + r.name() + "' was not written: slave "
                + slave + " answered " + exceptionText(response[2] & 0xFF));
            default -> throw new DeviceException("register '" + r.name() + "' was not written: no valid answer from "
                + "slave " + slave);
        }
    }

    /**
     * Sends a request and waits for an answer of {@code into.length} bytes (or an exception answer), checks it
     * and copies it into {@code into}. Counts what went wrong; an exception answer is rejected for the register.
     */
    private Outcome transact(DeviceContext ctx, byte[] request, byte[] into, String register)
        throws DeviceException {
        SerialLink l = link();
        if (l == null) {
            throw new DeviceException("port " + serial.port() + " is closed");
        }
        // The monitor is held only while the answer is gathered (and wait releases it): the silence before the
        // request and a write that waits for the port happen outside it, so the serial reader thread, which
        // hands every port's bytes over under its driver's monitor, never waits for this bus.
        try {
            quiet();
            synchronized (this) {
                responseLength = 0;
            }
            l.write(request);
        } catch (SerialPortException e) {
            throw new DeviceException("port " + serial.port() + " write failed: " + e.getExceptionType());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeviceException("interrupted");
        }
        synchronized (this) {
            try {
                if (!await(echo ? request.length : 0, into.length)) {
                    ctx.count("timeouts");
                    lastTrafficNanos = System.nanoTime();
                    return responseLength == 0 || (echo && responseLength <= request.length) ? Outcome.TIMEOUT
                        : garbled(ctx, "frame_errors");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DeviceException("interrupted");
            }
            int start = 0;
            if (echo) {
                if (!Arrays.equals(response, 0, request.length, request, 0, request.length)) {
                    return garbled(ctx, "echo_errors");
                }
                start = request.length;
            }
            int length = isException(start) ? 5 : into.length;
            if (!ModbusCrc.valid(Arrays.copyOfRange(response, start, start + length), length)) {
                return garbled(ctx, "crc_errors");
            }
            if (response[start] != request[0] || (response[start + 1] & 0x7F) != request[1]) {
                return garbled(ctx, "frame_errors"); // another slave, or an answer to another question
            }
            if (isException(start)) {
                ctx.count("exceptions");
                ctx.rejected(register, "slave " + slave + " answered " + exceptionText(response[start + 2] & 0xFF));
                return Outcome.EXCEPTION;
            }
            if (request[1] != 6 && (response[start + 2] & 0xFF) != into.length - 5) {
                return garbled(ctx, "frame_errors");
            }
            System.arraycopy(response, start, into, 0, into.length);
            return Outcome.OK;
        }
    }

    private static Outcome garbled(DeviceContext ctx, String counter) {
        ctx.count(counter);
        return Outcome.GARBLED;
    }

    private static String exceptionText(int code) {
        return "exception " + code + (code < EXCEPTIONS.length && !EXCEPTIONS[code].isEmpty()
            ? " (" + EXCEPTIONS[code] + ")" : "");
    }

    /**
     * Waits (releasing this monitor) until the answer is complete: {@code answer} bytes after the {@code skip}
     * bytes of echo, or a 5-byte exception answer.
     */
    private boolean await(int skip, int answer) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (responseLength < skip + answer && !(isException(skip) && responseLength >= skip + 5)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    /** Keeps the line silent for 3.5 characters since the last byte seen, so the slave sees a new frame. */
    private void quiet() throws InterruptedException {
        long wait;
        synchronized (this) {
            wait = lastTrafficNanos == 0 ? 0 : lastTrafficNanos + silenceNanos - System.nanoTime();
        }
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
    }

    private boolean isException(int start) {
        return responseLength >= start + 2 && (response[start + 1] & 0x80) != 0;
    }
}
