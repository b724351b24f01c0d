package io.pigeon.gateway.bridge;

import io.pigeon.drivers.Command;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    private static final Pattern FIELD = Pattern.compile("\"(\\w+)\"\\s*:\\s*(\"[^\"]*\"|-?[0-9.eE+-]+|true|false)");
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
            double d = Double.parseDouble(p);
            if (Double.isFinite(d)) {
                return new Command.Level(d);
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new BadCommand("unknown command: expected ON, OFF, TOGGLE, a number or a JSON object");
    }

    private static Command json(String p) throws BadCommand {
        if (!p.endsWith("}")) {
            throw new BadCommand("malformed JSON object");
        }
        String state = null;
        Long forMs = null;
        Double duty = null;
        String register = null;
        Double value = null;
        Matcher m = FIELD.matcher(p);
        int fields = 0;
        while (m.find()) {
            fields++;
            String key = m.group(1);
            String raw = m.group(2);
            String text = raw.startsWith("\"") ? raw.substring(1, raw.length() - 1) : raw;
            try {
                switch (key) {
                    case "state" -> state = text;
                    case "for_ms" -> forMs = Long.parseLong(text);
                    case "duty", "level" -> duty = Double.parseDouble(text);
                    case "register" -> register = text;
                    case "value" -> value = Double.parseDouble(text);
                    default -> throw new BadCommand("unknown field '" + key + "': use state, for_ms, duty, register, value");
                }
            } catch (NumberFormatException e) {
                throw new BadCommand("field '" + key + "' must be a number, not " + raw);
            }
        }
        if (fields == 0) {
            throw new BadCommand("malformed JSON object");
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
}
