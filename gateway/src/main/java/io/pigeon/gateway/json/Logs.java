package io.pigeon.gateway.json;

/** Text from outside (payloads, topic names, serial lines) made safe for a log line. */
public final class Logs {
    /** Longest text from outside quoted in a log line. */
    static final int MAX_CHARS = 256;

    private Logs() {
    }

    /**
     * Control characters written as escapes ({@code \n}, {@code \r}, {@code \t}, {@code \u0000}), so that a payload
     * cannot forge a log line of its own; cut at {@value #MAX_CHARS} characters, saying how long it was.
     */
    public static String escape(String s) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), MAX_CHARS) + 16);
        int n = Math.min(s.length(), MAX_CHARS);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0) || c == '\u2028' || c == '\u2029') {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        if (s.length() > MAX_CHARS) {
            sb.append("… (").append(s.length()).append(" characters)");
        }
        return sb.toString();
    }
}
