package io.pigeon.drivers.serial;

import io.pigeon.drivers.DeviceContext;
import io.pigeon.drivers.Settings;
import java.nio.charset.StandardCharsets;

/**
 * A GPS receiver speaking NMEA 0183 (9600 baud by default): GGA and RMC sentences become position, fix
 * quality, satellites, altitude, speed and course. Sentences with a bad or missing checksum are counted
 * ({@code checksum_errors}) and dropped.
 */
public final class NmeaGps extends SerialDevice {
    private final LineSplitter splitter = new LineSplitter(128, "\n".getBytes(StandardCharsets.US_ASCII));

    public NmeaGps(Settings s) {
        super(s, 9600);
    }

    @Override
    protected void reset() {
        splitter.reset();
    }

    @Override
    protected void received(byte[] data, int length, DeviceContext ctx) {
        splitter.accept(data, length, new LineSplitter.Lines() {
            @Override
            public void line(String line) {
                int start = line.indexOf('$');
                if (start < 0) {
                    if (!line.isBlank()) {
                        bad(ctx, "checksum_errors", "checksum errors");
                    }
                    return;
                }
                String sentence = line.substring(start).trim();
                if (!Nmea.valid(sentence)) {
                    bad(ctx, "checksum_errors", "checksum errors");
                    return;
                }
                good();
                Nmea.readings(sentence).forEach(ctx::reading);
            }

            @Override
            public void tooLong() {
                bad(ctx, "checksum_errors", "checksum errors");
            }
        });
    }
}
