package io.pigeon.drivers.serial;

import io.pigeon.drivers.DeviceContext;
import io.pigeon.drivers.Settings;
import io.pigeon.drivers.Value;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A sensor that prints text lines on a serial port (an Arduino, a weather station): each line is split
 * out, parsed ({@link LineParser}) and its fields published as readings. Over-long lines and lines that do
 * not parse are counted ({@code lines_too_long}, {@code parse_errors}) and never stop the device.
 */
public final class SerialLineSensor extends SerialDevice {
    private final LineSplitter splitter;
    private final LineParser parser;

    public SerialLineSensor(Settings s) {
        super(s, 9600);
        int max = s.integer("max_line", 256, 8, 65_536);
        String delimiter = unescape(s.string("delimiter", "\\n"));
        if (delimiter.isEmpty()) {
            throw s.error("delimiter", "must not be empty");
        }
        this.splitter = new LineSplitter(max, delimiter.getBytes(StandardCharsets.UTF_8));
        this.parser = LineParser.from(s);
    }

    static String unescape(String s) {
        return s.replace("\\r", "\r").replace("\\n", "\n").replace("\\t", "\t");
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
                if (line.isBlank()) {
                    return;
                }
                try {
                    Map<String, Value> values = parser.parse(line);
                    good();
                    values.forEach(ctx::reading);
                } catch (LineParser.ParseException e) {
                    bad(ctx, "parse_errors", "unparsable lines");
                }
            }

            @Override
            public void tooLong() {
                bad(ctx, "lines_too_long", "over-long lines");
            }
        });
    }
}
