package io.pigeon.gateway.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigeon.gateway.json.Logs;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LogsTest {
    @Test
    void aPayloadCannotForgeALogLine() {
        String forged = "{\"state\":\"ON\"\n2026-11-26 10:00:00 ERROR: forged\r\n\u0000}";
        String safe = Logs.escape(forged);
        assertFalse(safe.contains("\n") || safe.contains("\r") || safe.contains("\u0000"), safe);
        assertEquals("{\"state\":\"ON\"\\n2026-11-26 10:00:00 ERROR: forged\\r\\n\\u0000}", safe);
        assertEquals("a\\\\n", Logs.escape("a\\n"), "a backslash in the text stays tellable from an escape");
    }

    @Test
    void longTextIsCutAndSaysHowLongItWas() {
        String s = Logs.escape("x".repeat(10_000));
        assertTrue(s.endsWith("… (10000 characters)"), s.substring(s.length() - 40));
        assertTrue(s.length() < 300);
    }

    @Test
    void errorRepliesQuoteAtMost256BytesAndAreRateLimitedPerDevice() {
        ErrorReplies r = new ErrorReplies(java.util.Set.of("relay"));
        byte[] big = "y".repeat(20_000).getBytes(StandardCharsets.UTF_8);
        long t = 1_000_000_000L;
        String first = r.reply("relay", "bad", big, t);
        assertTrue(first.contains("\"payload_bytes\":20000") && first.length() < 400, first);
        for (int i = 1; i < ErrorReplies.PER_SECOND; i++) {
            assertTrue(r.reply("relay", "bad", big, t) != null);
        }
        assertEquals(null, r.reply("relay", "bad", big, t), "over the allowance: counted, not sent");
        assertEquals(null, r.reply("relay", "bad", big, t));
        assertTrue(r.reply("nosuch", "no device", big, t) != null, "another device has its own allowance");
        String next = r.reply("relay", "bad", big, t + 1_000_000_000L);
        assertTrue(next.contains("\"suppressed\":2"), next);
        for (int i = 0; i < 100; i++) {
            r.reply("made-up-" + i, "no device", big, t);
        }
        assertEquals(null, r.reply("another-made-up", "no device", big, t), "unknown names share one allowance");
    }
}
