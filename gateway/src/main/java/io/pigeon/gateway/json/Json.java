package io.pigeon.gateway.json;

import io.pigeon.drivers.Value;
import java.util.Map;

/** Writes the small JSON objects the gateway publishes; no library needed for flat objects. */
public final class Json {
    private final StringBuilder sb = new StringBuilder("{");

    public Json put(String key, String value) {
        key(key);
        if (value == null) {
            sb.append("null");
        } else {
            string(sb, value);
        }
        return this;
    }

    public Json put(String key, long value) {
        key(key);
        sb.append(value);
        return this;
    }

    public Json put(String key, boolean value) {
        key(key);
        sb.append(value);
        return this;
    }

    public Json put(String key, Value value) {
        key(key);
        if (value instanceof Value.Numeric n) {
            sb.append(n.text());
        } else if (value instanceof Value.Bool b) {
            sb.append(b.value());
        } else {
            string(sb, value.text());
        }
        return this;
    }

    /** A nested object, already written. */
    public Json raw(String key, String json) {
        key(key);
        sb.append(json);
        return this;
    }

    public Json putAll(Map<String, Long> counters) {
        counters.forEach(this::put);
        return this;
    }

    private void key(String key) {
        if (sb.length() > 1) {
            sb.append(',');
        }
        string(sb, key);
        sb.append(':');
    }

    /** Appends {@code s} as a JSON string, quoted and escaped. */
    public static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    @Override
    public String toString() {
        return sb + "}";
    }
}
