package io.pigeon.drivers;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Numbers to and from decimal text on every reading's path, with the results of the JDK's {@code BigDecimal} and
 * {@code Double.parseDouble} and without their garbage. The fast paths rest on one fact (Clinger's): digits that fit
 * in 2^53, divided by an exact power of ten (up to 10^22), are rounded once, correctly, as the JDK does too.
 * Anything outside them is left to the JDK.
 */
public final class Decimals {
    /** 10^0 to 10^22: every one exact as a double. */
    private static final double[] POWERS_OF_TEN = new double[23];
    private static final long MAX_EXACT = 1L << 53;

    static {
        POWERS_OF_TEN[0] = 1;
        for (int i = 1; i < POWERS_OF_TEN.length; i++) {
            POWERS_OF_TEN[i] = POWERS_OF_TEN[i - 1] * 10;
        }
    }

    private Decimals() {
    }

    /**
     * A plain decimal such as {@code -21.53} (a sign, digits, at most one point between digits, at most 2^53
     * without the point) as {@code Double.parseDouble} reads it, or NaN for anything else.
     */
    public static double parse(String t) {
        int n = t.length();
        int i = n > 0 && t.charAt(0) == '-' ? 1 : 0;
        long digits = 0;
        int count = 0;
        int point = -1;
        for (; i < n; i++) {
            char c = t.charAt(i);
            if (c >= '0' && c <= '9') {
                digits = digits * 10 + (c - '0');
                count++;
            } else if (c == '.' && point < 0 && count > 0 && i + 1 < n) {
                point = count;
            } else {
                return Double.NaN;
            }
        }
        if (count == 0 || count > 16 || digits > MAX_EXACT) {
            return Double.NaN;
        }
        double v = point < 0 ? digits : digits / POWERS_OF_TEN[count - point];
        return t.charAt(0) == '-' ? -v : v;
    }

    /**
     * The digits of {@link Double#toString} written out in full (no exponent, no trailing zero), as
     * {@code BigDecimal.valueOf(v).stripTrailingZeros().toPlainString()} writes them: 48 bytes of garbage for a
     * typical reading instead of 315.
     */
    public static String format(double v) {
        if (v == Math.rint(v) && Math.abs(v) < MAX_EXACT) { // every whole number up to 2^53 is a double: exact
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

    /**
     * {@code v} rounded half up to {@code decimals} places on the digits of {@link Double#toString}, as
     * {@code BigDecimal.valueOf(v).setScale(decimals, HALF_UP).doubleValue()} rounds it.
     */
    public static double roundHalfUp(double v, int decimals) {
        String s = Double.toString(Math.abs(v));
        int dot = s.indexOf('.');
        int cut = dot + 1 + decimals; // the first digit dropped
        if (s.indexOf('E') >= 0 || dot + decimals > 15) { // not plain, or more digits than a long keeps exact
            return BigDecimal.valueOf(v).setScale(decimals, RoundingMode.HALF_UP).doubleValue();
        }
        if (cut >= s.length()) {
            return v + 0.0; // nothing to drop (and no negative zero, which BigDecimal does not have)
        }
        long kept = 0;
        for (int i = 0; i < cut; i++) {
            if (i != dot) {
                kept = kept * 10 + (s.charAt(i) - '0');
            }
        }
        if (s.charAt(cut) >= '5') {
            kept++;
        }
        double r = kept / POWERS_OF_TEN[decimals];
        return v < 0 && kept != 0 ? -r : r;
    }
}
