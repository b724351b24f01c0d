package io.pigeon.drivers.serial;

import io.pigeon.drivers.DeviceContext;
import io.pigeon.drivers.Settings;
import io.pigeon.drivers.Value;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A GPS receiver speaking NMEA 0183 (9600 baud by default): GGA and RMC sentences become fix, position, fix
 * quality, satellites, altitude, speed and course (see {@link Nmea#readings} for which comes from where).
 * Sentences with a bad or missing checksum are counted ({@code checksum_errors}), sentences with impossible
 * fields ({@code parse_errors}); both are dropped.
 */
public final class NmeaGps extends SerialDevice {
    private final LineSplitter splitter = new LineSplitter(128, "\n".getBytes(StandardCharsets.US_ASCII));
    private boolean ggaSeen;

    public NmeaGps(Settings s) {
        super(s, 9600);
    }

    @Override
    protected void reset() {
        splitter.resync();
        ggaSeen = false;
    }

    @Override
    protected void received(byte[] data, int length, DeviceContext ctx) {
        splitter.accept(data, length, new LineSplitter.Lines() {
            @Override
            public void line(String line) {
                sentence(line, ctx);
            }

            @Override
            public void tooLong() {
                ctx.failed("checksum_errors", "checksum errors");
            }
        });
    }

    private void sentence(String line, DeviceContext ctx) {
        int start = line.indexOf('$');
        if (start < 0) {
            if (!line.isBlank()) {
                ctx.failed("checksum_errors", "checksum errors");
            }
            return;
        }
        String sentence = line.substring(start).trim();
        if (!Nmea.valid(sentence)) {
            ctx.failed("checksum_errors", "checksum errors");
            return;
        }
        Map<String, Value> values;
        try {
            values = Nmea.readings(sentence, ggaSeen);
        } catch (Nmea.BadField e) {
            ctx.failed("parse_errors", "sentences with impossible fields");
            return;
        }
        if (sentence.startsWith("GGA", 3)) {
            ggaSeen = true;
        }
        if (values.isEmpty()) {
            ctx.alive();
        }
        values.forEach(ctx::reading);
    }
}
