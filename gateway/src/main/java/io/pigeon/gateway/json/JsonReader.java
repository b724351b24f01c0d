package io.pigeon.gateway.json;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict JSON reader (RFC 8259) for what arrives from outside, command payloads first: one value and
 * nothing after it but whitespace, no duplicate keys, valid UTF-8, escapes and numbers exactly as the
 * grammar says. Objects become {@link LinkedHashMap}s, arrays {@link List}s, numbers {@link BigDecimal}s,
 * and {@code true}, {@code false}, {@code null} themselves. Limits (stated, so that a valid document can be
 * refused only for them): nesting at most {@value #MAX_DEPTH} deep; the size is the caller's
 * ({@code max_command_bytes}). Checked against the y_ and n_ files of the JSONTestSuite corpus.
 */
public final class JsonReader {
    /** Deeper nesting is refused: a command needs one level, and recursion depth must stay bounded. */
    public static final int MAX_DEPTH = 32;

    /** A document that is not JSON, or over a limit; the message says where and why. */
    public static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message);
        }
    }

    private final String s;
    private int i;

    private JsonReader(String s) {
        this.s = s;
    }

    /** Parses UTF-8 bytes (malformed UTF-8 is refused, not replaced). */
    public static Object parse(byte[] utf8) throws Malformed {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(utf8)).toString();
        } catch (CharacterCodingException e) {
            throw new Malformed("not valid UTF-8");
        }
        return parse(text);
    }

    public static Object parse(String text) throws Malformed {
        JsonReader r = new JsonReader(text);
        r.space();
        Object v = r.value(0);
        r.space();
        if (r.i != text.length()) {
            throw r.error("unexpected text after the JSON value");
        }
        return v;
    }

    private Malformed error(String why) {
        return new Malformed(why + " at character " + (i + 1));
    }

    private void space() {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            i++;
        }
    }

    private Object value(int depth) throws Malformed {
        if (i >= s.length()) {
            throw error("a value is missing");
        }
        char c = s.charAt(i);
        return switch (c) {
            case '{' -> object(depth + 1);
            case '[' -> array(depth + 1);
            case '"' -> string();
            case 't' -> literal("true", true);
            case 'f' -> literal("false", false);
            case 'n' -> literal("null", JsonReader.NULL);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    yield number();
                }
                throw error("unexpected '" + printable(c) + "'");
            }
        };
    }

    /** JSON's null, distinct from "absent". */
    public static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    private Object literal(String word, Object v) throws Malformed {
        if (!s.startsWith(word, i)) {
            throw error("unexpected '" + printable(s.charAt(i)) + "'");
        }
        i += word.length();
        return v;
    }

    private Map<String, Object> object(int depth) throws Malformed {
        checkDepth(depth);
        i++; // {
        Map<String, Object> out = new LinkedHashMap<>();
        space();
        if (i < s.length() && s.charAt(i) == '}') {
            i++;
            return out;
        }
        while (true) {
            space();
            if (i >= s.length() || s.charAt(i) != '"') {
                throw error("a key (a string) is expected");
            }
            int at = i;
            String key = string();
            space();
            expect(':');
            space();
            Object v = value(depth);
            if (out.putIfAbsent(key, v) != null) {
                i = at;
                throw error("duplicate key \"" + Logs.escape(key) + "\"");
            }
            space();
            if (i < s.length() && s.charAt(i) == ',') {
                i++;
                continue;
            }
            expect('}');
            return out;
        }
    }

    private List<Object> array(int depth) throws Malformed {
        checkDepth(depth);
        i++; // [
        List<Object> out = new ArrayList<>();
        space();
        if (i < s.length() && s.charAt(i) == ']') {
            i++;
            return out;
        }
        while (true) {
            space();
            out.add(value(depth));
            space();
            if (i < s.length() && s.charAt(i) == ',') {
                i++;
                continue;
            }
            expect(']');
            return out;
        }
    }

    private void checkDepth(int depth) throws Malformed {
        if (depth > MAX_DEPTH) {
            throw error("nested deeper than " + MAX_DEPTH + " levels");
        }
    }

    private void expect(char c) throws Malformed {
        if (i >= s.length()) {
            throw error("'" + c + "' is missing at the end");
        }
        if (s.charAt(i) != c) {
            throw error("'" + c + "' expected, not '" + printable(s.charAt(i)) + "'");
        }
        i++;
    }

    private String string() throws Malformed {
        i++; // "
        StringBuilder b = new StringBuilder();
        while (true) {
            if (i >= s.length()) {
                throw error("a string is not closed");
            }
            char c = s.charAt(i++);
            if (c == '"') {
                return b.toString();
            }
            if (c < 0x20) {
                i--;
                throw error("a control character must be escaped in a string");
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (i >= s.length()) {
                throw error("a string is not closed");
            }
            char e = s.charAt(i++);
            switch (e) {
                case '"', '\\', '/' -> b.append(e);
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> {
                    if (i + 4 > s.length()) {
                        throw error("\\u needs four hex digits");
                    }
                    int cp = 0;
                    for (int k = 0; k < 4; k++) {
                        int d = Character.digit(s.charAt(i + k), 16);
                        if (d < 0 || s.charAt(i + k) > 'f') {
                            throw error("\\u needs four hex digits");
                        }
                        cp = cp << 4 | d;
                    }
                    i += 4;
                    b.append((char) cp); // lone surrogates are allowed by the grammar (RFC 8259 §8.2)
                }
                default -> {
                    i--;
                    throw error("'\\" + printable(e) + "' is not a JSON escape");
                }
            }
        }
    }

    private BigDecimal number() throws Malformed {
        int start = i;
        if (s.charAt(i) == '-') {
            i++;
        }
        if (i < s.length() && s.charAt(i) == '0') {
            i++;
        } else if (!digits()) {
            throw error("a number needs digits");
        }
        if (i < s.length() && s.charAt(i) == '.') {
            i++;
            if (!digits()) {
                throw error("a fraction needs digits");
            }
        }
        if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            if (!digits()) {
                throw error("an exponent needs digits");
            }
        }
        try {
            return new BigDecimal(s.substring(start, i));
        } catch (NumberFormatException | ArithmeticException e) {
            throw error("number out of range"); // an exponent beyond BigDecimal's (over 2^31): a stated limit
        }
    }

    private boolean digits() {
        int start = i;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            i++;
        }
        return i > start;
    }

    private static String printable(char c) {
        return c < 0x20 || c == 0x7F ? String.format("\\u%04x", (int) c) : String.valueOf(c);
    }
}
