package io.pigeon.gateway.json;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The JDK's own formatter is the oracle: every time, to the second and to the millisecond, as it writes it. */
class IsoTimeTest {
    private static void same(long t) {
        Instant i = Instant.ofEpochMilli(t);
        assertEquals(i.toString(), IsoTime.millis(t), "millis of " + t);
        assertEquals(i.truncatedTo(ChronoUnit.SECONDS).toString(), IsoTime.seconds(t), "seconds of " + t);
    }

    @Test
    void writesWhatInstantWrites() {
        for (String s : new String[] {"1970-01-01T00:00:00Z", "1969-12-31T23:59:59.999Z", "2000-02-29T12:00:00.001Z",
            "2100-02-28T23:59:59.999Z", "2100-03-01T00:00:00Z", "2026-11-27T08:20:56.120Z", "2038-01-19T03:14:08Z",
            "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z", "-0001-12-31T23:59:59Z", "+10000-01-01T00:00:00Z"}) {
            same(Instant.parse(s).toEpochMilli());
        }
        Random random = new Random(27);
        long max = Instant.parse("9999-12-31T23:59:59.999Z").toEpochMilli();
        for (int i = 0; i < 200_000; i++) {
            same(Math.floorMod(random.nextLong(), max));
        }
        for (long day = 0; day < 366L * 400; day++) {
            same(day * 86_400_000L + 43_200_123L); // every day of a whole 400-year cycle
        }
    }
}
