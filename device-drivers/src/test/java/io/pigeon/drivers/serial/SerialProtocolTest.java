package io.pigeon.drivers.serial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigeon.drivers.RecordingContext;
import io.pigeon.drivers.Settings;
import io.pigeon.drivers.SettingsException;
import io.pigeon.drivers.Value;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Byte-exact vectors for the serial protocols, and the line machinery. */
class SerialProtocolTest {
    private static final HexFormat HEX = HexFormat.ofDelimiter(" ").withUpperCase();

    @Test
    void modbusCrcOfTheReferenceRequest() {
        // Read 10 holding registers from address 0 of slave 1: CRC C5 CD (low byte first).
        byte[] frame = ModbusRtu.request(1, 3, 0, 10);
        assertEquals("01 03 00 00 00 0A C5 CD", HEX.formatHex(frame));
        assertTrue(ModbusCrc.valid(frame, frame.length));
        frame[7] ^= 1;
        assertFalse(ModbusCrc.valid(frame, frame.length));
        // Write single register 1 = 3 on slave 17 (a common example): 11 06 00 01 00 03 9A 9B.
        assertEquals("11 06 00 01 00 03 9A 9B", HEX.formatHex(ModbusRtu.request(0x11, 6, 1, 3)));
    }

    @Test
    void modbusRegisterTypesAndWordOrder() {
        byte[] d = {(byte) 0xFF, (byte) 0x38, 0x41, 0x48, 0x00, 0x00};
        ModbusRegister int16 = new ModbusRegister("t", 0, 3, ModbusRegister.Type.INT16, false, 0.1, "", false);
        assertEquals(-20.0, int16.decode(d, 0), 1e-9);
        ModbusRegister uint16 = new ModbusRegister("t", 0, 3, ModbusRegister.Type.UINT16, false, 1, "", false);
        assertEquals(65336, uint16.decode(d, 0), 1e-9);
        ModbusRegister f32 = new ModbusRegister("f", 0, 4, ModbusRegister.Type.FLOAT32, false, 1, "", false);
        assertEquals(12.5f, f32.decode(d, 2), 1e-6);       // 0x41480000 = 12.5
        byte[] swapped = {0x00, 0x00, 0x41, 0x48};
        ModbusRegister f32le = new ModbusRegister("f", 0, 4, ModbusRegister.Type.FLOAT32, true, 1, "", false);
        assertEquals(12.5f, f32le.decode(swapped, 0), 1e-6);
        ModbusRegister i32 = new ModbusRegister("e", 0, 3, ModbusRegister.Type.INT32, false, 1, "", false);
        assertEquals(-1, i32.decode(new byte[] {-1, -1, -1, -1}, 0), 1e-9);
        ModbusRegister u32 = new ModbusRegister("e", 0, 3, ModbusRegister.Type.UINT32, false, 1, "", false);
        assertEquals(4294967295.0, u32.decode(new byte[] {-1, -1, -1, -1}, 0), 1e-9);
        assertEquals(215, int16.encode(21.5));
        assertThrows(IllegalArgumentException.class, () -> int16.encode(5000));
    }

    @Test
    void nmeaChecksumsOfTheClassicSentences() throws Exception {
        String gga = "$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47";
        String rmc = "$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W*6A";
        assertTrue(Nmea.valid(gga));
        assertTrue(Nmea.valid(rmc));
        assertFalse(Nmea.valid(gga.replace("*47", "*48")));
        assertFalse(Nmea.valid(gga.substring(0, gga.length() - 3)));
        assertEquals(gga, Nmea.sentence(gga.substring(1, gga.length() - 3)));

        Map<String, Value> g = Nmea.readings(gga, false);
        assertEquals(48.1173, ((Value.Numeric) g.get("latitude")).value(), 1e-6);
        assertEquals(11.516667, ((Value.Numeric) g.get("longitude")).value(), 1e-6);
        assertEquals(1.0, ((Value.Numeric) g.get("fix_quality")).value());
        assertEquals(8.0, ((Value.Numeric) g.get("satellites")).value());
        assertEquals(545.4, ((Value.Numeric) g.get("altitude")).value());
        Map<String, Value> r = Nmea.readings(rmc, false);
        assertEquals(Value.bool(true), r.get("fix"));
        assertEquals(41.48, ((Value.Numeric) r.get("speed")).value(), 1e-9); // 22.4 knots
        assertEquals(84.4, ((Value.Numeric) r.get("course")).value(), 1e-9);
        Map<String, Value> south = Nmea.readings(Nmea.sentence("GNGGA,010203,3352.128,S,15112.558,W,1,05,1.0,10.0,M,,M,,"), false);
        assertEquals(-33.8688, ((Value.Numeric) south.get("latitude")).value(), 1e-6);
        assertEquals(-151.209300, ((Value.Numeric) south.get("longitude")).value(), 1e-6);
        assertEquals(Map.of("fix", Value.bool(false)), Nmea.readings(Nmea.sentence("GPRMC,,V,,,,,,,,,,N"), false));
    }

    /**
     * Garbage of every shape (false headers, cut frames, a header at its very end) costs no good frame: the first
     * one after it is read, and the one after that.
     */
    @Test
    void framedSensorsReadTheFirstGoodFrameAfterAnyGarbage() {
        SplittableRandom random = new SplittableRandom(20261127);
        for (int round = 0; round < 3000; round++) {
            int pm25 = 100 + round % 900;
            check(new Pms5003(Settings.of("air", Map.of("port", "/dev/null"))), random, 0x42, 0x4D,
                Pms5003.encode(1, 2, 3), Pms5003.encode(pm25 - 1, pm25, pm25 + 1), pm25);
            check(new Sds011(Settings.of("dust", Map.of("port", "/dev/null"))), random, 0xAA, 0xC0,
                Sds011.encode(2, 3), Sds011.encode(pm25, 7), pm25);
        }
    }

    private static void check(SerialDevice device, SplittableRandom random, int first, int second, byte[] one,
            byte[] two, int pm25) {
        byte[] stream = new byte[200];
        int n = 0;
        for (int i = random.nextInt(60); i > 0; i--) {
            int kind = random.nextInt(6);
            if (kind == 0 && n + 1 < 60) {
                stream[n++] = (byte) first;
                stream[n++] = (byte) second;
            } else if (kind == 1 && n + one.length / 2 < 60) {
                int cut = random.nextInt(one.length);
                System.arraycopy(one, 0, stream, n, cut);
                n += cut;
            } else {
                stream[n++] = (byte) random.nextInt(256);
            }
        }
        System.arraycopy(one, 0, stream, n, one.length);
        System.arraycopy(two, 0, stream, n + one.length, two.length);
        int length = n + one.length + two.length;
        RecordingContext ctx = new RecordingContext();
        device.received(stream, length, ctx);
        List<Double> seen = new ArrayList<>();
        ctx.readings.forEach(g -> {
            if (g.name().equals("pm2_5")) {
                seen.add(g.number());
            }
        });
        ctx.close();
        List<Double> last = seen.subList(Math.max(0, seen.size() - 2), seen.size());
        assertEquals(List.of(2.0, (double) pm25), last, () -> HexFormat.of().formatHex(stream, 0, length));
    }

    @Test
    void pms5003FrameLayoutAndChecksum() {
        byte[] f = Pms5003.encode(5, 12, 20);
        assertEquals(32, f.length);
        assertEquals("42 4D 00 1C 00 05 00 0C 00 14 00 05 00 0C 00 14", HEX.formatHex(f, 0, 16));
        // sum of bytes 0..29 = 0x42+0x4D+0x1C+2*(5+12+20) = 66+77+28+74 = 245 = 0x00F5
        assertEquals("00 F5", HEX.formatHex(f, 30, 32));
        assertEquals(0xF5, Pms5003.checksum(f));
    }

    @Test
    void lineSplitterDiscardsOverLongLinesAndKeepsTheRest() {
        List<String> lines = new ArrayList<>();
        int[] tooLong = {0};
        LineSplitter.Lines out = new LineSplitter.Lines() {
            @Override
            public void line(String line) {
                lines.add(line);
            }

            @Override
            public void tooLong() {
                tooLong[0]++;
            }
        };
        LineSplitter s = new LineSplitter(10, "\n".getBytes(StandardCharsets.US_ASCII));
        byte[] in = "a=1\r\nthis line is far too long\nb=2\n0123456789\nc=".getBytes(StandardCharsets.US_ASCII);
        for (byte b : in) {
            s.accept(new byte[] {b}, 1, out); // byte by byte, as a slow port delivers them
        }
        s.accept("3\n".getBytes(StandardCharsets.US_ASCII), 2, out);
        assertEquals(List.of("a=1", "b=2", "0123456789", "c=3"), lines);
        assertEquals(1, tooLong[0]);

        lines.clear();
        LineSplitter crlf = new LineSplitter(64, "\r\n".getBytes(StandardCharsets.US_ASCII));
        byte[] two = "x\ry\r\nz\r\r\n".getBytes(StandardCharsets.US_ASCII);
        crlf.accept(two, two.length, out);
        assertEquals(List.of("x\ry", "z\r"), lines);
    }

    private static LineParser parser(Map<String, Object> settings) {
        return LineParser.from(Settings.of("s", settings));
    }

    @Test
    void keyValueLines() throws Exception {
        Map<String, Value> v = parser(Map.of("parse", "kv", "units", List.of("temperature=°C")))
            .parse("temperature=21.5 humidity=40.2,door=open;alarm=off");
        assertEquals(Value.number(21.5, "°C"), v.get("temperature"));
        assertEquals(Value.number(40.2, ""), v.get("humidity"));
        assertEquals(Value.text("open"), v.get("door"));
        assertEquals(Value.bool(false), v.get("alarm"));
        LineParser p = parser(Map.of());
        assertThrows(LineParser.ParseException.class, () -> p.parse("garbage"));
        assertThrows(LineParser.ParseException.class, () -> p.parse("a/b=1"));
        assertThrows(LineParser.ParseException.class, () -> p.parse("x="));
    }

    @Test
    void csvLines() throws Exception {
        LineParser p = parser(Map.of("parse", "csv", "fields", List.of("temperature", "_", "humidity")));
        Map<String, Value> v = p.parse("21.5,ignored,40");
        assertEquals(2, v.size());
        assertEquals(Value.number(40, ""), v.get("humidity"));
        assertThrows(LineParser.ParseException.class, () -> p.parse("1,2"));
        SettingsException e = assertThrows(SettingsException.class, () -> parser(Map.of("parse", "csv")));
        assertTrue(e.getMessage().contains("field 'fields'"), e.getMessage());
    }

    @Test
    void regexLines() throws Exception {
        LineParser p = parser(Map.of("parse", "regex", "pattern", "T:(?<temperature>-?[0-9.]+) H:(?<humidity>[0-9.]+)"));
        Map<String, Value> v = p.parse("OK T:-3.5 H:81");
        assertEquals(Value.number(-3.5, ""), v.get("temperature"));
        assertEquals(Value.number(81, ""), v.get("humidity"));
        assertThrows(LineParser.ParseException.class, () -> p.parse("nothing here"));
        assertThrows(SettingsException.class, () -> parser(Map.of("parse", "regex", "pattern", "([0-9]+")));
        assertThrows(SettingsException.class, () -> parser(Map.of("parse", "regex", "pattern", "([0-9]+)")));
    }

    @Test
    void jsonLines() throws Exception {
        LineParser p = parser(Map.of("parse", "json"));
        Map<String, Value> v = p.parse("{\"temperature\": 21.5, \"ok\": true, \"id\": \"a\\u0062\", \"n\": -1e2}");
        assertEquals(Value.number(21.5, ""), v.get("temperature"));
        assertEquals(Value.bool(true), v.get("ok"));
        assertEquals(Value.text("ab"), v.get("id"));
        assertEquals(Value.number(-100, ""), v.get("n"));
        for (String bad : new String[] {"{", "{\"a\":}", "{\"a\":{\"b\":1}}", "{\"a\":1} x", "[1]", "{\"a\":null}",
            "{\"a\":NaN}", "{\"a\" 1}", "{\"a\":\"x}"}) {
            assertThrows(LineParser.ParseException.class, () -> p.parse(bad), bad);
        }
    }

    @Test
    void kvTakesSpacesAroundTheEqualsSignAndRefusesNaNAndInfinity() throws Exception {
        LineParser kv = new LineParser.KeyValue(java.util.Map.of());
        Map<String, io.pigeon.drivers.Value> r = kv.parse("temperature = 22.3  humidity= 40 state =ON");
        assertEquals("22.3", r.get("temperature").text());
        assertEquals("40", r.get("humidity").text());
        assertEquals("ON", r.get("state").text());
        for (String bad : new String[] {"temperature=NaN", "temperature=Infinity", "t=-inf", "t=1e999"}) {
            assertThrows(LineParser.ParseException.class, () -> kv.parse(bad), bad);
        }
    }
    /** The kv scanner reads every line as the regular expressions it replaced did: the same pairs, the same errors. */
    @Test
    void kvScansAsTheRegularExpressionsItReplacedDid() throws Exception {
        LineParser kv = new LineParser.KeyValue(Map.of());
        List<String> lines = new java.util.ArrayList<>(List.of("a=1", " a = 1 , b=2;c =x ", "a=1 =2", "a==1", "a=1, =2",
            "=5", "a =", "foo", ",;, a=1 ,,", "a=1\tb=2", "a = = b", "", " , ", "temperature=21.5 humidity=40.2,door=open"));
        java.util.Random random = new java.util.Random(14);
        String alphabet = "ab1.= ,;\t=";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder b = new StringBuilder();
            for (int k = random.nextInt(12); k > 0; k--) {
                b.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            lines.add(b.toString());
        }
        for (String line : lines) {
            assertEquals(regexKv(line), scanned(kv, line), "'" + line + "'");
        }
    }

    private static String scanned(LineParser kv, String line) {
        try {
            return kv.parse(line).toString();
        } catch (LineParser.ParseException e) {
            return "error: " + e.getMessage();
        }
    }

    /** The kv parser as it was written with regular expressions (the oracle of the test above). */
    private static String regexKv(String line) {
        LineParser kv = new LineParser.KeyValue(Map.of());
        Map<String, Value> out = new java.util.LinkedHashMap<>();
        for (String pair : line.trim().replaceAll("\\s*=\\s*", "=").split("[\\s,;]+")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0 || eq == pair.length() - 1) {
                return "error: '" + pair + "' is not key=value";
            }
            String key = pair.substring(0, eq);
            if (!key.matches("[A-Za-z0-9_.-]+")) {
                return "error: '" + key + "' is not a valid reading name in: " + line;
            }
            try {
                out.put(key, kv.value(key, pair.substring(eq + 1)));
            } catch (LineParser.ParseException e) {
                return "error: " + e.getMessage();
            }
        }
        return out.isEmpty() ? "error: empty line" : out.toString();
    }

    /** Every line of every serial device goes through this: a kv line of two pairs costs its strings and map only. */
    @Test
    void aKvLineAllocatesItsReadingsAndLittleElse() throws Exception {
        LineParser kv = new LineParser.KeyValue(Map.of());
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 50_000; i++) {
            kv.parse("seq=12345 ts=1764230000000000"); // compiled, and escape analysis done, as in a long run
        }
        int lines = 20_000;
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < lines; i++) {
            kv.parse("seq=12345 ts=1764230000000000");
        }
        long perLine = (threads.getCurrentThreadAllocatedBytes() - before) / lines;
        assertTrue(perLine <= 500, perLine + " bytes per line (608 through Double.parseDouble, 2,736 with the regular "
            + "expressions)");
    }
}
