package io.pigeon.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigeon.drivers.RecordingContext;
import io.pigeon.drivers.Settings;
import io.pigeon.drivers.serial.ModbusRtu;
import io.pigeon.drivers.serial.Nmea;
import io.pigeon.drivers.serial.NmeaGps;
import io.pigeon.drivers.serial.Pms5003;
import io.pigeon.drivers.serial.SerialLineSensor;
import io.pigeon.drivers.sim.Pty;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each simulated serial device through a real pseudo-terminal into the real driver. */
class SimulatedBytesTest {
    private static final Duration WAIT = Duration.ofSeconds(3);
    private final World world = new World(1, 600);

    @TempDir
    Path dir;

    @Test
    void openptyMakesAWorkingRawTerminal() throws Exception {
        try (Pty pty = Pty.open(dir.resolve("ttyX"))) {
            assertTrue(Files.isSymbolicLink(dir.resolve("ttyX")));
            assertTrue(pty.slaveName().startsWith("/dev/"), pty.slaveName());
        }
        assertTrue(!Files.exists(dir.resolve("ttyX")), "closing removes the link, as an unplugged adapter");
    }

    @Test
    void airSensorsAnswerTheirDrivers() throws Exception {
        try (Sds011Sim dust = new Sds011Sim("dust", dir.resolve("ttyD"), world);
             Mhz19Sim co2 = new Mhz19Sim("co2", dir.resolve("ttyM"), world);
             RecordingContext ctx = new RecordingContext()) {
            io.pigeon.drivers.serial.Sds011 sds = new io.pigeon.drivers.serial.Sds011(
                Settings.of("dust", Map.of("port", dust.link().toString())));
            sds.open(ctx);
            dust.tick();
            double pm25 = ctx.next("pm2_5", WAIT).number();
            assertTrue(pm25 >= 0 && pm25 < 50, "pm2.5 " + pm25);
            io.pigeon.drivers.serial.Mhz19 mhz = new io.pigeon.drivers.serial.Mhz19(
                Settings.of("co2", Map.of("port", co2.link().toString(), "self_calibration", false)));
            mhz.open(ctx);
            mhz.poll(ctx);
            double ppm = ctx.next("co2", WAIT).number();
            assertTrue(ppm >= 420 && ppm < 2000, "co2 " + ppm);
            sds.close();
            mhz.close();
        }
    }

    @Test
    void lineSensorAndFaults() throws Exception {
        try (LineSensorSim sim = new LineSensorSim("climate", dir.resolve("ttyC"), world);
             RecordingContext ctx = new RecordingContext()) {
            SerialLineSensor driver = new SerialLineSensor(Settings.of("climate", Map.of("port", sim.link().toString())));
            driver.open(ctx);
            sim.tick(); // the first line after an open is dropped: usually a fragment
            sim.tick();
            assertEquals(world.temperature(), ctx.next("temperature", WAIT).number(), 0.2);
            sim.fault("checksum", Duration.ofMinutes(1));
            for (int i = 0; i < 3; i++) {
                sim.tick();
            }
            awaitTrue(() -> ctx.failures.size() >= 3);
            assertEquals("parse_errors: unparsable lines", ctx.failures.get(0));
            sim.fault("clear", null);
            sim.fault("unplug", null);
            awaitTrue(() -> !ctx.lost.isEmpty());
            assertTrue(ctx.lost.get(0).contains("disappeared") || ctx.lost.get(0).contains("failed"), ctx.lost.get(0));
            driver.close();
        }
    }

    @Test
    void gpsSentencesCarryValidChecksumsAndCorruptOnesAreDropped() throws Exception {
        try (GpsSim sim = new GpsSim("gps", dir.resolve("ttyG"), world);
             RecordingContext ctx = new RecordingContext()) {
            String sentences = new String(framesOf(sim), StandardCharsets.US_ASCII);
            assertEquals(2, sentences.split("\r\n").length, sentences);
            for (String line : sentences.split("\r\n")) {
                assertTrue(Nmea.valid(line), line);
            }
            NmeaGps driver = new NmeaGps(Settings.of("gps", Map.of("port", sim.link().toString())));
            driver.open(ctx);
            sim.tick();
            double lat = ctx.next("latitude", WAIT).number();
            assertEquals(48.1173, lat, 0.01);
            sim.fault("checksum", Duration.ofMinutes(1));
            sim.tick();
            awaitTrue(() -> ctx.counter("checksum_errors") >= 2);
            driver.close();
        }
    }

    @Test
    void pmsFramesHaveTheRightChecksumAndGarbageIsSkipped() throws Exception {
        try (Pms5003Sim sim = new Pms5003Sim("air", dir.resolve("ttyP"), world);
             RecordingContext ctx = new RecordingContext()) {
            byte[] f = framesOf(sim);
            assertEquals(32, f.length);
            assertEquals(Pms5003.checksum(f), (f[30] & 0xFF) << 8 | (f[31] & 0xFF));
            Pms5003 driver = new Pms5003(Settings.of("air", Map.of("port", sim.link().toString())));
            driver.open(ctx);
            sim.fault("garbage", Duration.ofMinutes(1));
            sim.tick();
            ctx.next("pm2_5", WAIT).number();
            assertTrue(ctx.counter("garbage_bytes") > 0);
            driver.close();
        }
    }

    @Test
    void modbusSlaveAnswersWithCorrectCrcsAndExceptionCodes() throws Exception {
        try (ModbusSlaveSim sim = new ModbusSlaveSim("meter", dir.resolve("ttyM"), world);
             RecordingContext ctx = new RecordingContext()) {
            ModbusRtu driver = new ModbusRtu(Settings.of("meter", Map.of("port", sim.link().toString(),
                "registers", List.of(
                    Map.of("name", "voltage", "address", 0, "function", 4, "scale", 0.1),
                    Map.of("name", "missing", "address", 99, "function", 4)))));
            driver.open(ctx);
            driver.poll(ctx);
            assertEquals(230, ctx.next("voltage", WAIT).number(), 5);
            assertEquals(1, ctx.counter("exceptions"));
            assertEquals("missing rejected: slave 1 answered exception 2 (illegal data address)", ctx.failures.get(0));
            driver.close();
        }
    }

    /** What a simulated device writes in one tick, captured from its pseudo-terminal. */
    private static byte[] framesOf(SerialSim sim) throws Exception {
        jssc.SerialPort port = new jssc.SerialPort(sim.link().toString());
        port.openPort();
        try {
            port.purgePort(jssc.SerialPort.PURGE_RXCLEAR);
            sim.tick();
            Thread.sleep(200);
            return port.readBytes();
        } finally {
            port.closePort();
        }
    }

    private static void awaitTrue(java.util.function.BooleanSupplier c) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out");
            }
            Thread.sleep(20);
        }
    }
}
