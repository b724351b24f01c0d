package io.pigeon.drivers;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** A reading's typed value. */
public sealed interface Value {
    /** The value as a plain-text payload: {@code 21.5}, {@code ON}, or the text itself. */
    String text();

    static Value number(double value, String unit) {
        return new Numeric(value, unit);
    }

    /**
     * {@code value} rounded half up to {@code decimals} places (0-9), without allocating: how a driver publishes at its
     * sensor's resolution, and keeps float noise (0.1 × 3) out of its readings.
     */
    static double round(double value, int decimals) {
        double factor = 1;
        for (int i = 0; i < decimals; i++) {
            factor *= 10;
        }
        return Math.round(value * factor) / factor;
    }

    static Value bool(boolean value) {
        return new Bool(value);
    }

    static Value text(String value) {
        return new Text(value);
    }

    record Numeric(double value, String unit) implements Value {
        public Numeric {
            if (Double.isNaN(value) || Double.isInfinite(value)) {
                throw new IllegalArgumentException("a reading must be a finite number, not " + value);
            }
            unit = unit == null ? "" : unit;
        }

        @Override
        public String text() {
            return format(value);
        }

        /** Rounded to {@code decimals} places (half up), without a trailing ".0" for whole numbers. */
        public Numeric rounded(int decimals) {
            return new Numeric(BigDecimal.valueOf(value).setScale(decimals, RoundingMode.HALF_UP).doubleValue(), unit);
        }

        /**
         * The digits of {@link Double#toString} written out in full (no exponent, no trailing zero): what
         * {@code BigDecimal.valueOf(v).stripTrailingZeros().toPlainString()} gives, without its garbage (315 bytes
         * for a typical reading, 48 here).
         */
        static String format(double v) {
            if (v == Math.rint(v) && Math.abs(v) < 0x1p53) { // every whole number up to 2^53 is a double: exact
                return Long.toString((long) v);
            }
            String s = Double.toString(v);
            int e = s.indexOf('E');
            if (e < 0) {
                // From 0.001 to 10^7: already plain; JDK 17 may still end it with a zero (0.0020, JDK-4511638).
                int end = s.length();
                while (s.charAt(end - 1) == '0') {
                    end--;
                }
                return end == s.length() ? s : s.substring(0, s.charAt(end - 1) == '.' ? end - 1 : end);
            }
            return plain(s, e);
        }

        /** {@code s} in scientific notation (one digit before the point, the exponent at {@code e}) written out. */
        private static String plain(String s, int e) {
            int lead = s.charAt(0) == '-' ? 1 : 0; // the digits are s[lead] and s[lead + 2, end)
            int end = e;
            while (end > lead + 2 && s.charAt(end - 1) == '0') {
                end--;
            }
            int digits = end - lead - 1;
            int point = 1 + Integer.parseInt(s, e + 1, s.length(), 10); // digits before the decimal point
            StringBuilder out = new StringBuilder(digits + Math.abs(point) + 3).append(s, 0, lead);
            if (point <= 0) {
                zeros(out.append("0."), -point).append(s.charAt(lead)).append(s, lead + 2, end);
            } else {
                out.append(s.charAt(lead));
                for (int i = 1; i < digits; i++) {
                    if (i == point) {
                        out.append('.');
                    }
                    out.append(s.charAt(lead + 1 + i));
                }
                zeros(out, point - digits);
            }
            return out.toString();
        }

        private static StringBuilder zeros(StringBuilder out, int count) {
            for (int i = 0; i < count; i++) {
                out.append('0');
            }
            return out;
        }
    }

    /** A switch or contact: published as {@code ON}/{@code OFF}. */
    record Bool(boolean value) implements Value {
        @Override
        public String text() {
            return value ? "ON" : "OFF";
        }
    }

    /** Text as a device sent it, less NUL and other control characters (a log or a consumer must not get them). */
    record Text(String value) implements Value {
        public Text {
            StringBuilder kept = null;
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                boolean control = c < 0x20 || (c >= 0x7F && c < 0xA0);
                if (control && kept == null) {
                    kept = new StringBuilder(value.length()).append(value, 0, i);
                } else if (!control && kept != null) {
                    kept.append(c);
                }
            }
            value = kept == null ? value : kept.toString();
        }

        @Override
        public String text() {
            return value;
        }
    }
}
