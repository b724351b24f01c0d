package io.pigeon.drivers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ValueTest {
    /** A device's text keeps no NUL or control byte: nothing downstream (a log, a consumer) gets one. */
    @Test
    void textValuesKeepNoControlCharacters() {
        assertEquals("ab c", Value.text("a\u0000b\u0007 c\r").text());
        assertEquals("line\u00e9", Value.text("line\u0085\u00e9\u007f").text());
        assertEquals("plain", Value.text("plain").text());
    }

    /**
     * Numbers are written as {@code BigDecimal.valueOf(v).stripTrailingZeros().toPlainString()} wrote them (the
     * oracle, and what the gateway published before): random bit patterns, readings with a few decimals, and
     * the edges where {@link Double#toString} changes notation.
     */
    @Test
    void numbersAreWrittenInFullWithoutTrailingZeros() {
        SplittableRandom random = new SplittableRandom(42);
        double[] edges = {0.001, 0.002, 0.0020000000000000005, 9.999999e-4, 1e-3 - 1e-19, 1e7, 1e7 + 0.5, 9999999.5,
            1e15, 1e15 + 0.5, 4503599627370495.5, 4503599627370496.0, 0x1p53 - 1, 0x1p53, 0x1p53 + 2, 1e16, 1e300, Double.MIN_VALUE, Double.MAX_VALUE,
            0.1 + 0.2, 1.0 / 3, -0.0, 0.5, 100.25, 1.0e-5, 1.25e-7};
        for (double v : edges) {
            check(v);
            check(-v);
        }
        for (int i = 0; i < 300_000; i++) {
            double bits = Double.longBitsToDouble(random.nextLong());
            if (Double.isFinite(bits)) {
                check(bits);
            }
            check(Math.round(random.nextDouble(-1e6, 1e6) * 100) / 100.0);
            check(random.nextDouble() * Math.pow(10, random.nextInt(-12, 20)));
            check((double) random.nextLong(1L << 54)); // whole numbers, a microsecond time stamp among them
        }
    }

    private static void check(double v) {
        String expected = v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v)
            : BigDecimal.valueOf(v).stripTrailingZeros().toPlainString(); // as the gateway wrote numbers before
        assertEquals(expected, Value.number(v, "").text(), () -> Double.toString(v));
    }

    /** Every numeric reading is written so: its text is one string, not the BigDecimals it was made through. */
    @Test
    void aNumbersTextIsItsStringAndLittleElse() {
        double[] readings = {21.53, 1013.25, 0.002, 48.1173, -3.5};
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        int length = 0;
        for (int i = 0; i < 50_000; i++) {
            length += Value.number(readings[i % readings.length], "").text().length(); // compiled, as in a long run
        }
        int n = 20_000;
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < n; i++) {
            length += Value.Numeric.format(readings[i % readings.length]).length();
        }
        long each = (threads.getCurrentThreadAllocatedBytes() - before) / n;
        assertTrue(length > 0 && each <= 100, each + " bytes per number (315 through BigDecimal)");
    }
}
