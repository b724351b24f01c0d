package io.pigeon.drivers.serial;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.pigeon.drivers.DeviceException;
import io.pigeon.drivers.RecordingContext;
import io.pigeon.drivers.Settings;
import io.pigeon.drivers.Value;
import io.pigeon.drivers.sim.Pty;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** SDS011 and MH-Z19B on real pseudo-terminals, with the frames of their datasheets as vectors. */
class AirSensorsPtyTest {
    private static final Duration WAIT = Duration.ofSeconds(3);
    private static final HexFormat HEX = HexFormat.ofDelimiter(" ").withUpperCase();
    private Pty pty;
    private final RecordingContext ctx = new RecordingContext();

    @BeforeEach
    void start() throws Exception {
        pty = Pty.temporary();
    }

    @AfterEach
    void stop() {
        ctx.close();
        pty.close();
    }

    @Test
    void sds011ReadsItsFramesAndDropsABadChecksum() throws Exception {
        // Datasheet-style frame: PM2.5 0x04D4 = 123.6, PM10 0x0A3A = 261.8 µg/m³, checksum 0x1D.
        byte[] frame = HEX.parseHex("AA C0 D4 04 3A 0A A1 60 1D AB");
        assertEquals(0x1D, Sds011.checksum(frame));
        Sds011 s = new Sds011(Settings.of("dust", Map.of("port", pty.device())));
        s.open(ctx);
        pty.write(new byte[] {0x00, 0x42}); // garbage before a frame
        pty.write(frame);
        assertEquals(123.6, ctx.next("pm2_5", WAIT).number(), 1e-9);
        assertEquals(261.8, ctx.next("pm10", WAIT).number(), 1e-9);
        byte[] bad = frame.clone();
        bad[8] ^= 0x01;
        pty.write(bad);
        pty.write(Sds011.encode(7.5, 12.0));
        assertEquals(7.5, ctx.next("pm2_5", WAIT).number(), 1e-9);
        assertEquals(1, ctx.counter("checksum_errors"));
        s.close();
    }

    @Test
    void aByteLostInsideAFrameCostsThatFrameAndNotTheNext() throws Exception {
        Sds011 s = new Sds011(Settings.of("dust", Map.of("port", pty.device())));
        s.open(ctx);
        byte[] cut = Sds011.encode(1.0, 2.0);
        cut = java.util.Arrays.copyOf(cut, cut.length - 1); // the tail lost: the next header fills the frame
        byte[] next = Sds011.encode(7.5, 12.0);
        byte[] both = java.util.Arrays.copyOf(cut, cut.length + next.length);
        System.arraycopy(next, 0, both, cut.length, next.length);
        pty.write(both);
        pty.write(Sds011.encode(3.0, 4.0));
        assertEquals(7.5, ctx.next("pm2_5", WAIT).number(), 1e-9, "the frame after the cut one");
        assertEquals(3.0, ctx.next("pm2_5", WAIT).number(), 1e-9);
        assertEquals(1, ctx.counter("checksum_errors"));
        assertEquals(0, ctx.counter("garbage_bytes"));
        s.close();
    }

    @Test
    void mhz19AsksAnswersAndSaysWhenItGetsNoAnswer() throws Exception {
        // The datasheet's commands: read FF 01 86 .. 79, self-calibration off FF 01 79 00 .. 86, on FF 01 79 A0 .. E6.
        assertEquals("FF 01 86 00 00 00 00 00 79", HEX.formatHex(Mhz19.READ));
        assertEquals("FF 01 79 00 00 00 00 00 86", HEX.formatHex(Mhz19.command(0x79, 0x00)));
        assertEquals("FF 01 79 A0 00 00 00 00 E6", HEX.formatHex(Mhz19.command(0x79, 0xA0)));
        Mhz19 s = new Mhz19(Settings.of("co2", Map.of("port", pty.device(), "self_calibration", false)));
        s.open(ctx);
        assertArrayEquals(Mhz19.command(0x79, 0x00), pty.read(9, 2000), "self-calibration off at open");
        s.poll(ctx);
        assertArrayEquals(Mhz19.READ, pty.read(9, 2000));
        pty.write(HEX.parseHex("FF 86 02 60 47 00 00 00 D1")); // 0x0260 = 608 ppm
        assertEquals(608.0, ctx.next("co2", WAIT).number(), 1e-9);
        assertEquals("ppm", ((Value.Numeric) Value.number(608, "ppm")).unit());

        s.poll(ctx); // this one goes unanswered ...
        pty.read(9, 2000);
        DeviceException e = assertThrows(DeviceException.class, () -> s.poll(ctx)); // ... which the next one says
        assertEquals("no answer to the last request", e.getMessage());
        pty.read(9, 2000);
        pty.write(HEX.parseHex("FF 86 02 60 47 00 00 00 D2")); // a wrong checksum: not a reading
        pty.write(HEX.parseHex("FF 86 01 90 47 00 00 00 A2")); // 400 ppm
        assertEquals(400.0, ctx.next("co2", WAIT).number(), 1e-9);
        assertEquals(1, ctx.counter("checksum_errors"));
        s.close();
    }
}
