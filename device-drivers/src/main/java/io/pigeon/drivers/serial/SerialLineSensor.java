package io.pigeon.drivers.serial;

import io.pigeon.drivers.DeviceContext;
import io.pigeon.drivers.Settings;
import io.pigeon.drivers.Value;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * A sensor that prints text lines on a serial port (an Arduino, a weather station): each line is split
 * out, parsed ({@link LineParser}) and its fields published as readings. Over-long lines and lines that do
 * not parse are dropped and counted ({@code lines_too_long}, {@code parse_errors}); each is one failure for
 * the supervisor, so only several in a row make the device offline. The first bytes after an open, up to
 * the first delimiter, are dropped: usually the tail of a line sent before.
 */
public final class SerialLineSensor extends SerialDevice {
    private final LineSplitter splitter;
    private final LineParser parser;
    private final List<String> readings = new java.util.ArrayList<>();

    public SerialLineSensor(Settings s) {
        super(s, 9600);
        int max = s.integer("max_line", 256, 8, 65_536);
        String delimiter = unescape(s.string("delimiter", "\\n"));
        if (delimiter.isEmpty()) {
            throw s.error("delimiter", "must not be empty");
        }
        this.splitter = new LineSplitter(max, delimiter.getBytes(StandardCharsets.UTF_8));
        this.parser = LineParser.from(s);
        for (Object r : s.list("readings")) {
            readings.add(r.toString().trim());
        }
    }

    @Override
    public boolean freeFormReadings() {
        return true;
    }

    /** The readings to announce: {@code readings}, else those the parser's settings name. */
    @Override
    public List<String> declaredReadings() {
        if (!readings.isEmpty()) {
            return readings;
        }
        return parser.declared();
    }

    static String unescape(String s) {
        return s.replace("\\r", "\r").replace("\\n", "\n").replace("\\t", "\t");
    }

    @Override
    protected void reset() {
        splitter.resync();
    }

    @Override
    protected void received(byte[] data, int length, DeviceContext ctx) {
        splitter.accept(data, length, new LineSplitter.Lines() {
            @Override
            public void line(String line) {
                if (line.isBlank()) {
                    return;
                }
                Map<String, Value> values;
                try {
                    values = parser.parse(line);
                } catch (LineParser.ParseException e) {
                    ctx.failed("parse_errors", "unparsable lines");
                    return;
                }
                if (values.isEmpty()) {
                    ctx.alive();
                }
                values.forEach(ctx::reading);
            }

            @Override
            public void tooLong() {
                ctx.failed("lines_too_long", "over-long lines");
            }
        });
    }
}
