package io.pigeon.drivers.serial;

import io.pigeon.drivers.Decimals;
import io.pigeon.drivers.Settings;
import io.pigeon.drivers.Value;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns one text line into named readings: {@code kv} ({@code temperature=21.5 humidity=40.2}, pairs
 * separated by spaces, commas or semicolons), {@code csv} with named fields, {@code regex} with named
 * groups, or {@code json} (a flat object of numbers, booleans and strings).
 */
public abstract class LineParser {
    /** A line that does not parse; the message says why. */
    public static final class ParseException extends Exception {
        private static final long serialVersionUID = 1L;

        public ParseException(String message) {
            super(message);
        }
    }

    private static final Pattern GROUP = Pattern.compile("\\(\\?<([a-zA-Z][a-zA-Z0-9]*)>");

    private final Map<String, String> units;

    LineParser(Map<String, String> units) {
        this.units = units;
    }

    public abstract Map<String, Value> parse(String line) throws ParseException;

    /** The reading names the config declares: CSV fields, regex groups, and the names given units. */
    public final List<String> declared() {
        java.util.Set<String> out = new java.util.LinkedHashSet<>(named());
        out.addAll(units.keySet());
        return new ArrayList<>(out);
    }

    /** The reading names the format itself declares (CSV fields, regex groups); none for kv and json. */
    List<String> named() {
        return List.of();
    }

    public static LineParser from(Settings s) {
        Map<String, String> units = new LinkedHashMap<>();
        for (Object o : s.list("units")) {
            String[] kv = o.toString().split("=", 2);
            if (kv.length != 2) {
                throw s.error("units", "entries must look like name=unit, not '" + o + "'");
            }
            units.put(kv[0].trim(), kv[1].trim());
        }
        return switch (s.choice("parse", "kv", "kv", "csv", "regex", "json")) {
            case "csv" -> {
                List<String> fields = new ArrayList<>();
                for (Object f : s.list("fields")) {
                    fields.add(f.toString().trim());
                }
                if (fields.isEmpty()) {
                    throw s.error("fields", "parse: csv needs the field names, e.g. [temperature, humidity]");
                }
                for (String f : fields) {
                    if (!f.equals("_") && !validName(f)) {
                        throw s.error("fields", "'" + f + "' is not a valid reading name (letters, digits, _ . -)");
                    }
                }
                String sep = s.string("separator", ",");
                yield new Csv(units, fields, sep);
            }
            case "regex" -> {
                String pattern = s.requireString("pattern");
                Pattern p;
                try {
                    p = Pattern.compile(pattern);
                } catch (java.util.regex.PatternSyntaxException e) {
                    throw s.error("pattern", "is not a valid regular expression: " + e.getDescription());
                }
                List<String> groups = new ArrayList<>();
                Matcher m = GROUP.matcher(pattern);
                while (m.find()) {
                    groups.add(m.group(1));
                }
                if (groups.isEmpty()) {
                    throw s.error("pattern", "needs named groups, e.g. T=(?<temperature>[-0-9.]+)");
                }
                yield new Regex(units, p, groups);
            }
            case "json" -> new Json(units);
            default -> new KeyValue(units);
        };
    }

    Value value(String name, String text) throws ParseException {
        String t = text.trim();
        double simple = Decimals.parse(t);
        if (!Double.isNaN(simple)) {
            return Value.number(simple, units.getOrDefault(name, ""));
        }
        switch (t.toLowerCase(Locale.ROOT)) {
            case "true", "on" -> {
                return Value.bool(true);
            }
            case "false", "off" -> {
                return Value.bool(false);
            }
            case "nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity" ->
                throw new ParseException("'" + name + "' is not a finite number: " + t);
            default -> {
            }
        }
        try {
            double d = Double.parseDouble(t);
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                // never published, as a number or as the text "NaN": a reading that is no value
                throw new ParseException("'" + name + "' is not a finite number: " + t);
            }
            if (!t.endsWith("d") && !t.endsWith("f")) {
                return Value.number(d, units.getOrDefault(name, ""));
            }
        } catch (NumberFormatException e) {
            // text
        }
        return Value.text(t);
    }

    static void checkName(String name, String line) throws ParseException {
        if (!validName(name)) {
            throw new ParseException("'" + name + "' is not a valid reading name in: " + line);
        }
    }

    /** [A-Za-z0-9_.-]+, without a Matcher: it is asked for every key of every line. */
    private static boolean validName(String name) {
        boolean valid = !name.isEmpty();
        for (int i = 0; i < name.length() && valid; i++) {
            char c = name.charAt(i);
            valid = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '_' || c == '.' || c == '-';
        }
        return valid;
    }

    static final class KeyValue extends LineParser {
        KeyValue(Map<String, String> units) {
            super(units);
        }

        /**
         * Pairs are separated by runs of whitespace, commas and semicolons; whitespace next to '=' is not a
         * separator ("temperature = 22.3" is "temperature=22.3"). Scanned in place: no regular expression and
         * no copy of the line per call, as this runs for every line of every serial device.
         */
        @Override
        public Map<String, Value> parse(String line) throws ParseException {
            Map<String, Value> out = new LinkedHashMap<>();
            String l = line.trim();
            int n = l.length();
            int i = 0;
            while (i < n) {
                int start = i;
                int eq = -1;
                boolean spaced = false; // whitespace next to an '=' inside this pair, left out of it
                while (i < n) {
                    char c = l.charAt(i);
                    if (c == ',' || c == ';') {
                        break;
                    }
                    if (space(c)) {
                        int after = i;
                        while (after < n && space(l.charAt(after))) {
                            after++;
                        }
                        if (!(l.charAt(i - 1) == '=' || (after < n && l.charAt(after) == '='))) {
                            break; // a separator
                        }
                        spaced = true;
                        i = after;
                        continue;
                    }
                    if (c == '=' && eq < 0) {
                        eq = i;
                    }
                    i++;
                }
                int end = i;
                while (i < n && (space(l.charAt(i)) || l.charAt(i) == ',' || l.charAt(i) == ';')) {
                    i++;
                }
                if (end == start) {
                    continue;
                }
                int keyEnd = eq;
                while (keyEnd > start && space(l.charAt(keyEnd - 1))) {
                    keyEnd--;
                }
                int valueStart = eq + 1;
                while (eq >= 0 && valueStart < end && space(l.charAt(valueStart))) {
                    valueStart++;
                }
                if (eq < 0 || keyEnd == start || valueStart == end) {
                    throw new ParseException("'" + withoutSpaces(l, start, end) + "' is not key=value");
                }
                String key = l.substring(start, keyEnd);
                checkName(key, line);
                out.put(key, value(key, spaced ? withoutSpaces(l, valueStart, end) : l.substring(valueStart, end)));
            }
            if (out.isEmpty()) {
                throw new ParseException("empty line");
            }
            return out;
        }

        /** What the regular expression {@code \s} takes for whitespace. */
        private static boolean space(char c) {
            return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
        }

        /** A pair as written, without the whitespace around its '=' signs. */
        private static String withoutSpaces(String l, int from, int to) {
            StringBuilder b = new StringBuilder(to - from);
            for (int k = from; k < to; k++) {
                if (!space(l.charAt(k))) {
                    b.append(l.charAt(k));
                }
            }
            return b.toString();
        }
    }

    static final class Csv extends LineParser {
        private final List<String> fields;
        private final Pattern separator;

        @Override
        List<String> named() {
            return fields.stream().filter(f -> !f.equals("_")).toList();
        }

        Csv(Map<String, String> units, List<String> fields, String separator) {
            super(units);
            this.fields = fields;
            this.separator = Pattern.compile(Pattern.quote(separator)); // once: split(String) compiles it per line
        }

        @Override
        public Map<String, Value> parse(String line) throws ParseException {
            String[] parts = separator.split(line, -1);
            if (parts.length != fields.size()) {
                throw new ParseException(parts.length + " fields, expected " + fields.size() + ": " + line);
            }
            Map<String, Value> out = new LinkedHashMap<>();
            for (int i = 0; i < parts.length; i++) {
                if (!fields.get(i).equals("_")) {
                    out.put(fields.get(i), value(fields.get(i), parts[i]));
                }
            }
            return out;
        }
    }

    static final class Regex extends LineParser {
        private final Pattern pattern;
        private final List<String> groups;

        @Override
        List<String> named() {
            return groups;
        }

        Regex(Map<String, String> units, Pattern pattern, List<String> groups) {
            super(units);
            this.pattern = pattern;
            this.groups = groups;
        }

        @Override
        public Map<String, Value> parse(String line) throws ParseException {
            Matcher m = pattern.matcher(line);
            if (!m.find()) {
                throw new ParseException("does not match the pattern: " + line);
            }
            Map<String, Value> out = new LinkedHashMap<>();
            for (String g : groups) {
                String v = m.group(g);
                if (v != null) {
                    out.put(g, value(g, v));
                }
            }
            if (out.isEmpty()) {
                throw new ParseException("no group matched: " + line);
            }
            return out;
        }
    }

    /** A flat JSON object; nested objects and arrays are refused. */
    static final class Json extends LineParser {
        Json(Map<String, String> units) {
            super(units);
        }

        @Override
        public Map<String, Value> parse(String line) throws ParseException {
            Cursor c = new Cursor(line);
            Map<String, Value> out = new LinkedHashMap<>();
            c.expect('{');
            if (!c.peek('}')) {
                do {
                    String key = c.string();
                    checkName(key, line);
                    c.expect(':');
                    out.put(key, c.value(this, key));
                } while (c.consume(','));
            }
            c.expect('}');
            c.end();
            if (out.isEmpty()) {
                throw new ParseException("empty JSON object");
            }
            return out;
        }
    }

    private static final class Cursor {
        final String s;
        int i;

        Cursor(String s) {
            this.s = s;
        }

        void ws() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        boolean peek(char ch) {
            ws();
            return i < s.length() && s.charAt(i) == ch;
        }

        boolean consume(char ch) {
            if (peek(ch)) {
                i++;
                return true;
            }
            return false;
        }

        void expect(char ch) throws ParseException {
            if (!consume(ch)) {
                throw new ParseException("expected '" + ch + "' at position " + i + ": " + s);
            }
        }

        void end() throws ParseException {
            ws();
            if (i != s.length()) {
                throw new ParseException("trailing text at position " + i + ": " + s);
            }
        }

        String string() throws ParseException {
            expect('"');
            StringBuilder sb = new StringBuilder();
            while (i < s.length()) {
                char ch = s.charAt(i++);
                if (ch == '"') {
                    return sb.toString();
                }
                if (ch == '\\') {
                    if (i >= s.length()) {
                        break;
                    }
                    char e = s.charAt(i++);
                    switch (e) {
                        case 'n' -> sb.append('\n');
                        case 't' -> sb.append('\t');
                        case 'r' -> sb.append('\r');
                        case 'b' -> sb.append('\b');
                        case 'f' -> sb.append('\f');
                        case 'u' -> {
                            if (i + 4 > s.length()) {
                                throw new ParseException("bad \\u escape: " + s);
                            }
                            try {
                                sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                            } catch (NumberFormatException ex) {
                                throw new ParseException("bad \\u escape: " + s);
                            }
                            i += 4;
                        }
                        default -> sb.append(e);
                    }
                } else {
                    sb.append(ch);
                }
            }
            throw new ParseException("unterminated string: " + s);
        }

        Value value(LineParser p, String key) throws ParseException {
            ws();
            if (i >= s.length()) {
                throw new ParseException("missing value for '" + key + "': " + s);
            }
            char ch = s.charAt(i);
            if (ch == '"') {
                return Value.text(string());
            }
            if (ch == '{' || ch == '[') {
                throw new ParseException("'" + key + "' is nested; only flat objects are read: " + s);
            }
            int start = i;
            while (i < s.length() && ",} \t".indexOf(s.charAt(i)) < 0) {
                i++;
            }
            String token = s.substring(start, i);
            if (token.equals("true") || token.equals("false")) {
                return Value.bool(token.equals("true"));
            }
            if (token.equals("null")) {
                throw new ParseException("'" + key + "' is null: " + s);
            }
            try {
                return Value.number(Double.parseDouble(token), p.units.getOrDefault(key, ""));
            } catch (IllegalArgumentException e) {
                throw new ParseException("'" + token + "' is not a JSON value: " + s);
            }
        }
    }
}
