package io.pigeon.gateway.bridge;

import io.pigeon.drivers.Command;
import io.pigeon.gateway.json.JsonReader;
import io.pigeon.gateway.json.Logs;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Commands as people type them into an MQTT tool: {@code ON}, {@code OFF}, {@code TOGGLE}, a number
 * (a PWM duty cycle), or JSON: {@code {"state":"ON","for_ms":500}}, {@code {"duty":40}},
 * {@code {"register":"setpoint","value":21.5}}.
 */
public final class CommandParser {
    /** A payload that is not a command; the message says what is expected. */
    public static final class BadCommand extends Exception {
        private static final long serialVersionUID = 1L;

        BadCommand(String message) {
            super(message);
        }
    }

    private static final long MAX_PULSE_MS = 24L * 3600 * 1000;

    private CommandParser() {
    }

    public static Command parse(String payload) throws BadCommand {
        String p = payload.trim();
        if (p.isEmpty()) {
            throw new BadCommand("empty command");
        }
        if (p.startsWith("{")) {
            return json(p);
        }
        switch (p.toUpperCase(Locale.ROOT)) {
            case "ON" -> {
                return Command.ON;
            }
            case "OFF" -> {
                return Command.OFF;
            }
            case "TOGGLE" -> {
                return Command.TOGGLE;
            }
            default -> {
            }
        }
        try {
            // a JSON number: Java's own parser would also take 40d, 0x1p3 and Infinity
            if (JsonReader.parse(p) instanceof BigDecimal n && Double.isFinite(n.doubleValue())) {
                return new Command.Level(n.doubleValue());
            }
        } catch (JsonReader.Malformed e) {
            // fall through
        }
        throw new BadCommand("unknown command: expected ON, OFF, TOGGLE, a number or a JSON object");
    }

    private static Command json(String p) throws BadCommand {
        Object doc;
        try {
            doc = JsonReader.parse(p);
        } catch (JsonReader.Malformed e) {
            throw new BadCommand("malformed JSON: " + e.getMessage());
        }
        if (!(doc instanceof Map<?, ?> fields) || fields.isEmpty()) {
            throw new BadCommand("a JSON command is an object with 'state', 'duty' or 'register'");
        }
        String state = null;
        Long forMs = null;
        Double duty = null;
        String register = null;
        Double value = null;
        for (Map.Entry<?, ?> f : fields.entrySet()) {
            String key = (String) f.getKey();
            Object v = f.getValue();
            switch (key) {
                case "state" -> state = text(key, v);
                case "for_ms" -> {
                    try {
                        forMs = number(key, v).longValueExact();
                    } catch (ArithmeticException e) {
                        throw new BadCommand("field 'for_ms' must be a whole number of milliseconds");
                    }
                }
                case "duty", "level" -> duty = number(key, v).doubleValue();
                case "register" -> register = text(key, v);
                case "value" -> value = number(key, v).doubleValue();
                default -> throw new BadCommand("unknown field '" + Logs.escape(key)
                    + "': use state, for_ms, duty, register, value");
            }
        }
        if (register != null) {
            if (value == null || !Double.isFinite(value)) {
                throw new BadCommand("'register' needs a numeric 'value'");
            }
            return new Command.Write(register, value);
        }
        if (duty != null) {
            return new Command.Level(duty);
        }
        if (state == null) {
            throw new BadCommand("a JSON command needs 'state', 'duty' or 'register'");
        }
        Command base = parse(state);
        if (forMs == null) {
            return base;
        }
        if (forMs <= 0 || forMs > MAX_PULSE_MS) {
            throw new BadCommand("for_ms must be between 1 and " + MAX_PULSE_MS);
        }
        if (!(base instanceof Command.On) && !(base instanceof Command.Off)) {
            throw new BadCommand("a timed command needs state ON or OFF");
        }
        return new Command.Pulse(base instanceof Command.On, Duration.ofMillis(forMs));
    }

    private static String text(String key, Object v) throws BadCommand {
        if (!(v instanceof String t)) {
            throw new BadCommand("field '" + key + "' must be a string");
        }
        return t;
    }

    private static BigDecimal number(String key, Object v) throws BadCommand {
        if (!(v instanceof BigDecimal n)) {
            throw new BadCommand("field '" + key + "' must be a number");
        }
        if (!Double.isFinite(n.doubleValue())) {
            throw new BadCommand("field '" + key + "' is out of range");
        }
        return n;
    }
}
