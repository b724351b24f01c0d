package io.pigeon.gateway.json;

import java.time.Instant;

/**
 * UTC times as {@link Instant#toString()} writes them ({@code 2026-11-27T08:20:56Z}, {@code ...56.120Z}), for
 * the "time" and "since" of alerts, JSON payloads and the status page, without java.time's formatter: that
 * formatter is about 60 classes the gateway would load for this alone, and a few objects per call.
 */
public final class IsoTime {
    private static final long MILLIS_PER_DAY = 86_400_000L;

    private IsoTime() {
    }

    /** To the second, as {@code Instant.ofEpochMilli(t).truncatedTo(SECONDS).toString()}. */
    public static String seconds(long epochMillis) {
        return format(epochMillis - Math.floorMod(epochMillis, 1000L));
    }

    /** To the millisecond (no fraction when it is 0), as {@code Instant.ofEpochMilli(t).toString()}. */
    public static String millis(long epochMillis) {
        return format(epochMillis);
    }

    private static String format(long epochMillis) {
        long days = Math.floorDiv(epochMillis, MILLIS_PER_DAY);
        int msOfDay = (int) Math.floorMod(epochMillis, MILLIS_PER_DAY);
        // The civil date of a day number (days since 1970-01-01), in 400-year eras of 146,097 days whose years
        // start on 1 March, so that the leap day comes last.
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long dayOfEra = z - era * 146_097;
        long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        long monthFromMarch = (5 * dayOfYear + 2) / 153;
        int day = (int) (dayOfYear - (153 * monthFromMarch + 2) / 5 + 1);
        int month = (int) (monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9);
        long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
        if (year < 0 || year > 9999) {
            return Instant.ofEpochMilli(epochMillis).toString(); // a sign or a fifth digit: never a clock here
        }
        int ms = msOfDay % 1000;
        char[] c = new char[ms == 0 ? 20 : 24];
        digits(c, 0, (int) year, 4);
        c[4] = '-';
        digits(c, 5, month, 2);
        c[7] = '-';
        digits(c, 8, day, 2);
        c[10] = 'T';
        digits(c, 11, msOfDay / 3_600_000, 2);
        c[13] = ':';
        digits(c, 14, msOfDay / 60_000 % 60, 2);
        c[16] = ':';
        digits(c, 17, msOfDay / 1000 % 60, 2);
        if (ms != 0) {
            c[19] = '.';
            digits(c, 20, ms, 3);
        }
        c[c.length - 1] = 'Z';
        return new String(c);
    }

    private static void digits(char[] c, int at, int value, int width) {
        int v = value;
        for (int i = at + width - 1; i >= at; i--) {
            c[i] = (char) ('0' + v % 10);
            v /= 10;
        }
    }
}
