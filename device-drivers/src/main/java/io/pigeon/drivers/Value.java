package io.pigeon.drivers;

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
            return Decimals.format(value);
        }

        /** Rounded to {@code decimals} places (half up), without a trailing ".0" for whole numbers. */
        public Numeric rounded(int decimals) {
            return new Numeric(Decimals.roundHalfUp(value, decimals), unit);
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
