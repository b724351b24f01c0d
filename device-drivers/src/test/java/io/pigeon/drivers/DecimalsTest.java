package io.pigeon.drivers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.SplittableRandom;
import java.util.function.DoubleConsumer;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The decimal fast paths against the JDK code they replace, as oracles: {@code BigDecimal} for writing and rounding
 * (what the gateway published before), {@code Double.parseDouble} for reading. Random bit patterns, readings with a
 * few decimals, whole numbers, and the edges where {@link Double#toString} changes notation.
 */
class DecimalsTest {
    private static final double[] EDGES = {0.001, 0.002, 0.0020000000000000005, 9.999999e-4, 1e-3 - 1e-19, 1e7,
        1e7 + 0.5, 9999999.5, 1e15, 1e15 + 0.5, 4503599627370495.5, 4503599627370496.0, 0x1p53 - 1, 0x1p53,
        0x1p53 + 2, 1e16, 1e300, Double.MIN_VALUE, Double.MAX_VALUE, 0.1 + 0.2, 1.0 / 3, -0.0, 0.5, 100.25, 1.0e-5,
        1.25e-7, 2.675, 1.005, 0.045, 99.95, 1.5, 2.5};
    private static final double[] READINGS = {21.53, 1013.25, 0.002, 48.1173, -3.5};

    /** Each value: the edges (both signs), then for each round a random bit pattern, a reading, a scaled and a whole. */
    private static void forEachValue(DoubleConsumer check) {
        for (double v : EDGES) {
            check.accept(v);
            check.accept(-v);
        }
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 200_000; i++) {
            double bits = Double.longBitsToDouble(random.nextLong());
            if (Double.isFinite(bits)) {
                check.accept(bits);
            }
            check.accept(Math.round(random.nextDouble(-1e6, 1e6) * 1000) / 1000.0);
            check.accept(random.nextDouble() * Math.pow(10, random.nextInt(-12, 20)));
            check.accept((double) random.nextLong(1L << 54)); // a microsecond time stamp among them
        }
    }

    @Test
    void numbersAreWrittenAsBigDecimalWroteThem() {
        forEachValue(v -> {
            String expected = v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v)
                : BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
            assertEquals(expected, Decimals.format(v), () -> Double.toString(v));
        });
    }

    @Test
    void numbersAreRoundedAsBigDecimalRoundedThem() {
        forEachValue(v -> {
            for (int decimals = 0; decimals <= 10; decimals++) {
                int d = decimals;
                double expected = BigDecimal.valueOf(v).setScale(d, RoundingMode.HALF_UP).doubleValue();
                assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(Decimals.roundHalfUp(v, d)),
                    () -> v + " to " + d + " places: " + expected);
            }
        });
    }

    @Test
    void plainDecimalsAreReadAsDoubleParseDoubleReadsThem() {
        SplittableRandom random = new SplittableRandom(7);
        char[] alphabet = "0123456789.-+eE x".toCharArray();
        for (int round = 0; round < 500_000; round++) {
            StringBuilder t = new StringBuilder();
            int digits = 0;
            if (round % 2 == 0) { // a decimal of 1 to 17 digits, signed or not, with or without a point
                if (random.nextBoolean()) {
                    t.append('-');
                }
                digits = random.nextInt(1, 18);
                int point = random.nextInt(digits + 1);
                for (int d = 0; d < digits; d++) {
                    t.append(d == point && d > 0 ? "." : "").append((char) ('0' + random.nextInt(10)));
                }
            } else {
                for (int c = random.nextInt(9); c > 0; c--) {
                    t.append(alphabet[random.nextInt(alphabet.length)]);
                }
            }
            String text = t.toString();
            double fast = Decimals.parse(text);
            if (!Double.isNaN(fast)) {
                assertEquals(Double.doubleToRawLongBits(Double.parseDouble(text)), Double.doubleToRawLongBits(fast),
                    text);
            } else {
                assertFalse(digits >= 1 && digits <= 15, text + " was left to Double.parseDouble");
            }
        }
    }

    /** Every numeric reading is written, and with {@code decimals} rounded, so: one string each, no BigDecimal. */
    @Test
    void writingAndRoundingAReadingCostItsStringAndLittleElse() {
        long format = bytesEach(v -> Decimals.format(v).length());
        assertTrue(format <= 100, format + " bytes per text (315 through BigDecimal)");
        long round = bytesEach(v -> Decimals.roundHalfUp(v, 1));
        assertTrue(round <= 60, round + " bytes per rounding (118 through BigDecimal)");
    }

    private static long bytesEach(DoubleUnaryOperator op) {
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        double sum = 0;
        for (int i = 0; i < 50_000; i++) {
            sum += op.applyAsDouble(READINGS[i % READINGS.length]); // compiled, as in a long run
        }
        int n = 20_000;
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < n; i++) {
            sum += op.applyAsDouble(READINGS[i % READINGS.length]);
        }
        long each = (threads.getCurrentThreadAllocatedBytes() - before) / n;
        assertTrue(sum > 0); // the results are used: nothing was left out as dead code
        return each;
    }
}
