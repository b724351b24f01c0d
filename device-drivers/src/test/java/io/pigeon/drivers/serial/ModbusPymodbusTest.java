package io.pigeon.drivers.serial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pigeon.drivers.DeviceException;
import io.pigeon.drivers.RecordingContext;
import io.pigeon.drivers.Settings;
import io.pigeon.drivers.Value;
import io.pigeon.drivers.sim.Pty;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Modbus driver against a slave nobody here wrote: pymodbus ({@code modbus_slave.py}) on a pty of its own, with
 * a relay between driver and slave that can corrupt an answer or echo the request as an RS-485 adapter does.
 * Every register type in both word orders, an illegal address among good registers, NaN and Infinity floats, a
 * corrupted CRC and a stopped slave.
 */
class ModbusPymodbusTest {

    private Pty driverSide;
    private Pty slaveSide;
    private Process slave;
    private Thread relay;
    private final AtomicBoolean corruptNext = new AtomicBoolean();
    private volatile boolean echo;
    private volatile boolean running = true;

    static boolean pymodbusAvailable() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import pymodbus, serial").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    @BeforeEach
    void start() throws Exception {
        if (!pymodbusAvailable()) {
            if (Boolean.getBoolean("pigeon.ci")) {
                throw new IllegalStateException("pymodbus is required in CI (pip install pymodbus==3.15.0 pyserial)");
            }
            assumeTrue(false, "pymodbus is not installed: the independent Modbus slave test is skipped");
        }
        driverSide = Pty.temporary();
        slaveSide = Pty.temporary();
        Path script = Path.of(getClass().getResource("/modbus_slave.py").toURI());
        slave = new ProcessBuilder("python3", script.toString(), slaveSide.device(), "19200")
            .redirectErrorStream(true).redirectOutput(new File(script.getParent().toFile(), "modbus_slave.log")).start();
        relay = new Thread(this::relay, "modbus-relay");
        relay.setDaemon(true);
        relay.start();
    }

    @AfterEach
    void stop() throws Exception {
        running = false;
        if (slave != null) {
            signal("CONT");
            slave.destroy();
            if (!slave.waitFor(5, TimeUnit.SECONDS)) {
                slave.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        if (relay != null) {
            relay.join(2000);
        }
        if (slaveSide != null) {
            slaveSide.close();
        }
        if (driverSide != null) {
            driverSide.close();
        }
    }

    private void signal(String name) throws Exception {
        new ProcessBuilder("kill", "-" + name, Long.toString(slave.pid())).start().waitFor(5, TimeUnit.SECONDS);
    }

    /** Passes requests to the slave and its answers back, frame by frame. */
    private void relay() {
        while (running) {
            try {
                byte[] request = driverSide.read(8, 200);
                slaveSide.write(request);
                if (echo) {
                    driverSide.write(request);
                }
                byte[] head = slaveSide.read(3, 1000);
                int rest = (head[1] & 0x80) != 0 ? 2 : head[1] == 6 ? 5 : (head[2] & 0xFF) + 2;
                byte[] tail = slaveSide.read(rest, 1000);
                byte[] answer = new byte[3 + rest];
                System.arraycopy(head, 0, answer, 0, 3);
                System.arraycopy(tail, 0, answer, 3, rest);
                if (corruptNext.getAndSet(false)) {
                    answer[3] ^= 0x01;
                }
                driverSide.write(answer);
            } catch (Pty.ReadTimeout e) {
                // no request, or a stopped slave: the driver times out by itself
            } catch (Exception e) {
                if (running) {
                    e.printStackTrace();
                }
                return;
            }
        }
    }

    private static Map<String, Object> reg(String name, int address, String type, Object... more) {
        Map<String, Object> m = new HashMap<>(Map.of("name", name, "address", address, "type", type));
        for (int i = 0; i < more.length; i += 2) {
            m.put((String) more[i], more[i + 1]);
        }
        return m;
    }

    private ModbusRtu driver(boolean echoSetting) {
        return new ModbusRtu(Settings.of("meter", Map.of("port", driverSide.device(), "baud", 19200, "slave", 1,
            "response_timeout", "300ms", "echo", echoSetting, "registers", List.of(
                reg("i16", 0, "int16"), reg("u16", 1, "uint16"), reg("i32", 2, "int32"), reg("u32", 4, "uint32"),
                reg("f32", 6, "float32"), reg("f32_le", 8, "float32", "word_order", "little"),
                reg("nan", 10, "float32"), reg("i32_le", 12, "int32", "word_order", "little"),
                reg("inf", 14, "float32"), reg("missing", 20, "uint16"),
                reg("voltage", 0, "uint16", "function", 4, "scale", 0.1, "unit", "V")))));
    }

    /** Polls until the slave (a Python process still starting) answers every good register. */
    private static void warmUp(ModbusRtu m) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        try (RecordingContext scratch = new RecordingContext()) {
            m.open(scratch);
            while (true) {
                try {
                    m.poll(scratch);
                    if (drain(scratch).size() == 8) {
                        return;
                    }
                } catch (DeviceException e) {
                    // not up yet
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the pymodbus slave never answered every register");
                }
            }
        } finally {
            m.close();
        }
    }

    private static Map<String, Value> poll(ModbusRtu m, RecordingContext ctx) throws Exception {
        m.poll(ctx);
        return drain(ctx);
    }

    private static Map<String, Value> drain(RecordingContext ctx) throws InterruptedException {
        Map<String, Value> got = new HashMap<>();
        for (RecordingContext.Got g = ctx.poll(Duration.ofMillis(100)); g != null; g = ctx.poll(Duration.ofMillis(100))) {
            got.put(g.name(), g.value());
        }
        return got;
    }

    @Test
    void everyTypeBothWordOrdersAndOneBadRegisterNeverStopsTheOthers() throws Exception {
        ModbusRtu m = driver(false);
        warmUp(m);
        try (RecordingContext ctx = new RecordingContext()) {
            m.open(ctx);
            Map<String, Value> got = poll(m, ctx);
            assertEquals(Value.number(-1234, ""), got.get("i16"));
            assertEquals(Value.number(54321, ""), got.get("u16"));
            assertEquals(Value.number(-123456, ""), got.get("i32"));
            assertEquals(Value.number(3_000_000_000L, ""), got.get("u32"));
            assertEquals(Value.number(-123456, ""), got.get("i32_le"));
            assertEquals("230.7", got.get("f32").text(), "float32 at float precision, not 230.6999969482422");
            assertEquals("230.7", got.get("f32_le").text());
            assertEquals("230.7", got.get("voltage").text());
            // The illegal address, the NaN and the Infinity are each dropped and counted; nothing else is lost.
            assertEquals(8, got.size(), got.toString());
            assertEquals(1, ctx.counter("exceptions"));
            assertTrue(ctx.failures.contains("missing rejected: slave 1 answered exception 2 (illegal data address)"),
                ctx.failures.toString());
            assertTrue(ctx.failures.stream().anyMatch(f -> f.startsWith("nan rejected: the slave holds NaN")),
                ctx.failures.toString());
            assertTrue(ctx.failures.stream().anyMatch(f -> f.startsWith("inf rejected: the slave holds Infinity")),
                ctx.failures.toString());

            corruptNext.set(true); // one answer with a broken CRC: that register only
            m.poll(ctx);
            assertEquals(1, ctx.counter("crc_errors"));
            assertEquals(7, drain(ctx).size());

            signal("STOP"); // a slave that stops answering: the poll fails (a failure the supervisor counts)
            DeviceException silent = assertThrows(DeviceException.class, () -> m.poll(ctx));
            assertEquals("no response from slave 1 within 300 ms", silent.getMessage());
            signal("CONT");
            Thread.sleep(300); // let the slave read the request it got while stopped, and drop its answer
            drain(ctx);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos(); // it answers its backlog first
            int answered = 0;
            while (answered != 8 && System.nanoTime() < deadline) {
                try {
                    answered = poll(m, ctx).size();
                } catch (DeviceException e) {
                    answered = 0;
                }
            }
            assertEquals(8, answered, "answers again once it runs");
        } finally {
            m.close();
        }
    }

    @Test
    void anAdapterThatEchoesTheRequestIsReadPastWithEchoTrue() throws Exception {
        echo = true;
        ModbusRtu m = driver(true);
        warmUp(m);
        try (RecordingContext ctx = new RecordingContext()) {
            m.open(ctx);
            Map<String, Value> got = poll(m, ctx);
            assertEquals(8, got.size(), got.toString());
            assertEquals(0, ctx.counter("echo_errors"));
        } finally {
            m.close();
        }
    }

    @Test
    void framesAreSeparatedByThreeAndAHalfCharacters() {
        assertEquals(2_005_209.0, (double) ModbusRtu.silenceNanos(19_200), 1.0); // 3.5 × 11 bits at 19,200 baud
        assertEquals(4_010_417.0, (double) ModbusRtu.silenceNanos(9_600), 1.0);
        assertEquals(1_750_000, ModbusRtu.silenceNanos(115_200)); // the fixed value above 19,200 baud
    }
}
