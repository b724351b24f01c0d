package io.pigeon.drivers.serial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigeon.drivers.Command;
import io.pigeon.drivers.DeviceException;
import io.pigeon.drivers.RecordingContext;
import io.pigeon.drivers.Settings;
import io.pigeon.drivers.Value;
import io.pigeon.drivers.sim.Pty;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The serial drivers through jssc on real pseudo-terminals, with the test playing the sensor. */
class SerialDriversPtyTest {
    private static final Duration WAIT = Duration.ofSeconds(3);
    private Pty pty;
    private final RecordingContext ctx = new RecordingContext();

    @BeforeEach
    void start() throws Exception {
        pty = Pty.temporary();
    }

    @AfterEach
    void stop() throws Exception {
        ctx.close();
        pty.close();
    }

    @Test
    void lineSensorSurvivesGarbageOverlongAndUnparsableLines() throws Exception {
        SerialLineSensor s = new SerialLineSensor(Settings.of("climate", Map.of("port", pty.device(), "baud", 9600,
            "max_line", 40)));
        s.open(ctx);
        pty.write("ure=20.5\n");                    // the tail of a line sent before the open: dropped
        pty.write("tempera");                       // a partial line ...
        Thread.sleep(50);
        pty.write("ture=21.5 humidity=40.2\r\n");   // ... completed later
        assertEquals(new RecordingContext.Got("temperature", Value.number(21.5, "")), ctx.next(WAIT));
        assertEquals(new RecordingContext.Got("humidity", Value.number(40.2, "")), ctx.next(WAIT));
        pty.write("x".repeat(500) + "\n");           // over-long
        pty.write("\u0001\u00ff garbage !!\n");       // unparsable
        pty.write("temperature=22\n");
        assertEquals(22.0, ctx.next("temperature", WAIT).number());
        assertEquals(1, ctx.counter("lines_too_long"));
        assertEquals(1, ctx.counter("parse_errors"));
        s.close();
    }

    @Test
    void everyBadLineIsOneFailureReported() throws Exception {
        SerialLineSensor s = new SerialLineSensor(Settings.of("climate", Map.of("port", pty.device(), "parse", "json")));
        s.open(ctx);
        pty.write("\n");
        for (int i = 0; i < 3; i++) {
            pty.write("not json\n");
        }
        pty.write("{\"t\": 1}\n");
        assertEquals(1.0, ctx.next("t", WAIT).number());
        assertEquals(List.of("parse_errors: unparsable lines", "parse_errors: unparsable lines",
            "parse_errors: unparsable lines"), ctx.failures);
        s.close();
    }

    @Test
    void gpsDropsBadChecksums() throws Exception {
        NmeaGps gps = new NmeaGps(Settings.of("gps", Map.of("port", pty.device())));
        gps.open(ctx);
        pty.write("\r\n");
        pty.write("$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*48\r\n"); // wrong checksum
        pty.write("$GPGSV,2,1,08,01,40,083,46,02,17,308,41,12,07,344,39,14,22,228,45*75\r\n"); // not GGA/RMC
        pty.write("$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47\r\n");
        assertEquals(48.1173, ctx.next("latitude", WAIT).number(), 1e-6);
        assertEquals(8.0, ctx.next("satellites", WAIT).number());
        assertEquals(1, ctx.counter("checksum_errors"));
        gps.close();
    }

    @Test
    void pms5003ResynchronisesAfterGarbageAndPartialFrames() throws Exception {
        Pms5003 pms = new Pms5003(Settings.of("air", Map.of("port", pty.device())));
        pms.open(ctx);
        byte[] good = Pms5003.encode(3, 7, 11);
        byte[] corrupt = Pms5003.encode(9, 9, 9);
        corrupt[10] ^= 0x55;
        pty.write(new byte[] {0x13, 0x42, 0x00, 0x42});     // garbage, including a false start
        pty.write(java.util.Arrays.copyOf(good, 12));      // a frame cut short ...
        pty.write(corrupt);                                 // ... then a bad checksum
        pty.write(good);
        assertEquals(3.0, ctx.next("pm1_0", WAIT).number());
        assertEquals(7.0, ctx.next("pm2_5", WAIT).number());
        assertEquals(11.0, ctx.next("pm10", WAIT).number());
        assertTrue(ctx.counter("garbage_bytes") >= 2);
        assertTrue(ctx.counter("checksum_errors") + ctx.counter("frame_errors") >= 1);
        pty.write(Pms5003.encode(1, 2, 3));
        assertEquals(1.0, ctx.next("pm1_0", WAIT).number());
        pms.close();
    }

    @Test
    void modbusReadsWritesAndReportsExceptionsAndTimeouts() throws Exception {
        ModbusRtu m = new ModbusRtu(Settings.of("meter", Map.of("port", pty.device(), "slave", 1,
            "response_timeout", "300ms",
            "registers", List.of(
                Map.of("name", "voltage", "address", 0, "function", 4, "type", "uint16", "scale", 0.1, "unit", "V"),
                Map.of("name", "setpoint", "address", 10, "type", "int16", "scale", 0.5, "writable", true)))));
        m.open(ctx);
        Thread slave = new Thread(() -> {
            try {
                // poll 1: answer both registers
                expect(ModbusRtu.request(1, 4, 0, 1));
                pty.write(ModbusCrc.append(new byte[] {1, 4, 2, 0x08, (byte) 0xFC}));   // 2300 → 230.0 V
                expect(ModbusRtu.request(1, 3, 10, 1));
                pty.write(ModbusCrc.append(new byte[] {1, 3, 2, (byte) 0xFF, (byte) 0xF6})); // -10 → -5.0
                // poll 2: an exception response (illegal data address), and the other register as usual
                expect(ModbusRtu.request(1, 4, 0, 1));
                pty.write(ModbusCrc.append(new byte[] {1, (byte) 0x84, 2}));
                expect(ModbusRtu.request(1, 3, 10, 1));
                pty.write(ModbusCrc.append(new byte[] {1, 3, 2, 0, 2}));                  // 2 → 1.0
                // poll 3: a corrupted answer, then silence
                expect(ModbusRtu.request(1, 4, 0, 1));
                byte[] bad = ModbusCrc.append(new byte[] {1, 4, 2, 0x08, (byte) 0xFC});
                bad[4] ^= 1;
                pty.write(bad);
                expect(ModbusRtu.request(1, 3, 10, 1));
                // poll 4: silence
                expect(ModbusRtu.request(1, 4, 0, 1));
                expect(ModbusRtu.request(1, 3, 10, 1));
                // write: echo
                byte[] write = ModbusRtu.request(1, 6, 10, 42);
                expect(write);
                pty.write(write);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        slave.start();
        m.poll(ctx);
        assertEquals(230.0, ctx.next("voltage", WAIT).number(), 1e-9);
        assertEquals(-5.0, ctx.next("setpoint", WAIT).number(), 1e-9);
        m.poll(ctx); // the slave answered, with an exception: the poll succeeds, the register is rejected
        assertEquals(1, ctx.counter("exceptions"));
        assertEquals(List.of("voltage rejected: slave 1 answered exception 2 (illegal data address)"), ctx.failures);
        assertEquals(1.0, ctx.next("setpoint", WAIT).number(), 1e-9);
        DeviceException garbled = assertThrows(DeviceException.class, () -> m.poll(ctx));
        assertTrue(garbled.getMessage().contains("CRC"), garbled.getMessage());
        assertEquals(1, ctx.counter("crc_errors"));
        DeviceException silent = assertThrows(DeviceException.class, () -> m.poll(ctx));
        assertEquals("no response from slave 1 within 300 ms", silent.getMessage());
        assertEquals(3, ctx.counter("timeouts"));
        m.apply(new Command.Write("setpoint", 21), ctx);
        assertEquals(21.0, ctx.next("setpoint", WAIT).number(), 1e-9);
        slave.join(5000);
        org.junit.jupiter.api.Assertions.assertThrows(DeviceException.class,
            () -> m.apply(new Command.Write("voltage", 1), ctx));
        m.close();
    }

    @Test
    void modbusAnswersToAnotherQuestionOrFromAnotherSlaveAreRefused() throws Exception {
        ModbusRtu m = new ModbusRtu(Settings.of("meter", Map.of("port", pty.device(), "slave", 1,
            "response_timeout", "300ms", "registers", List.of(
                Map.of("name", "voltage", "address", 0, "function", 4, "scale", 0.1)))));
        m.open(ctx);
        Thread slave = new Thread(() -> {
            try {
                expect(ModbusRtu.request(1, 4, 0, 1));
                pty.write(ModbusCrc.append(new byte[] {1, 3, 2, 0x08, (byte) 0xFC}));   // function 3, not 4
                expect(ModbusRtu.request(1, 4, 0, 1));
                pty.write(ModbusCrc.append(new byte[] {2, 4, 2, 0x08, (byte) 0xFC}));   // slave 2, not 1
                expect(ModbusRtu.request(1, 4, 0, 1));
                pty.write(ModbusCrc.append(new byte[] {1, 4, 2, 0x08, (byte) 0xFC}));
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        slave.start();
        assertThrows(DeviceException.class, () -> m.poll(ctx));
        assertThrows(DeviceException.class, () -> m.poll(ctx));
        assertEquals(2, ctx.counter("frame_errors"));
        assertNull(ctx.poll(Duration.ofMillis(50)), "neither was published");
        m.poll(ctx);
        assertEquals(230.0, ctx.next("voltage", WAIT).number(), 1e-9);
        slave.join(5000);
        m.close();
    }

    private void expect(byte[] request) throws Exception {
        byte[] got = pty.read(request.length, 3000);
        assertEquals(java.util.HexFormat.of().formatHex(request), java.util.HexFormat.of().formatHex(got));
    }

    @Test
    void unplugIsDetectedWithinTwoSecondsAndReopeningWorksOnceItIsBack() throws Exception {
        SerialLineSensor s = new SerialLineSensor(Settings.of("climate", Map.of("port", pty.device())));
        s.open(ctx);
        pty.write("\nt=1\n");
        ctx.next("t", WAIT);
        long t0 = System.nanoTime();
        pty.unplug();
        long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (ctx.lost.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(1, ctx.lost.size(), "lost reported once");
        assertTrue(ms < 2000, "detected after " + ms + " ms");
        assertTrue(ctx.lost.get(0).startsWith("port " + pty.device()), ctx.lost.get(0));
        s.close();
        DeviceException gone = org.junit.jupiter.api.Assertions.assertThrows(DeviceException.class, () -> s.open(ctx));
        assertTrue(gone.getMessage().contains("not found"), gone.getMessage());
        pty.plugIn();
        s.open(ctx);
        pty.write("\nt=2\n");
        assertEquals(2.0, ctx.next("t", WAIT).number());
        s.close();
    }

    @Test
    void anExceptionFromAParserNeverEndsTheReaderThread() throws Exception {
        // Before, an IllegalArgumentException from the NMEA parser (altitude NaN, valid checksum) killed jssc's
        // event thread: no reading ever again, and the device still "online".
        NmeaGps gps = new NmeaGps(Settings.of("gps", Map.of("port", pty.device())));
        gps.open(ctx);
        pty.write("\r\n" + Nmea.sentence("GPGGA,120000,4807.038,N,01131.000,E,1,08,0.9,NaN,M,46.9,M,,") + "\r\n");
        pty.write(Nmea.sentence("GPGGA,120001,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,") + "\r\n");
        assertEquals(545.4, ctx.next("altitude", WAIT).number(), 1e-9);
        assertEquals(1, ctx.counter("parse_errors"));
        gps.close();

        // Whatever a driver throws while handling bytes is a parse error, and reading goes on.
        int[] calls = {0};
        SerialDevice buggy = new SerialDevice(Settings.of("buggy", Map.of("port", pty.device())), 9600) {
            @Override
            protected void reset() {
            }

            @Override
            protected void received(byte[] data, int length, io.pigeon.drivers.DeviceContext c) {
                if (calls[0]++ == 0) {
                    throw new IllegalStateException("driver bug");
                }
                c.reading("bytes", Value.number(length, ""));
            }
        };
        buggy.open(ctx);
        pty.write("first");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (calls[0] == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        pty.write("second");
        ctx.next("bytes", WAIT);
        assertTrue(ctx.failures.contains("parse_errors: driver error: java.lang.IllegalStateException: driver bug"),
            ctx.failures.toString());
        buggy.close();
    }
}
