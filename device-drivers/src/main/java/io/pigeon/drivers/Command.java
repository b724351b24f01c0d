package io.pigeon.drivers;

import java.time.Duration;

/** A typed command for an actuator. */
public sealed interface Command {
    record On() implements Command {
    }

    record Off() implements Command {
    }

    record Toggle() implements Command {
    }

    /** On (or off) for a while, then back. */
    record Pulse(boolean state, Duration duration) implements Command {
    }

    /** A level in percent: a PWM duty cycle. */
    record Level(double percent) implements Command {
    }

    /** A numeric value for a named target, e.g. a Modbus register. */
    record Write(String target, double value) implements Command {
    }

    Command ON = new On();
    Command OFF = new Off();
    Command TOGGLE = new Toggle();

    static Command of(boolean state) {
        return state ? ON : OFF;
    }

    /**
     * The state a switch goes to for this command, from {@code current}: what every digital output (a Pi pin, an
     * expander pin) does with ON, OFF, TOGGLE and the start of a pulse.
     *
     * @throws DeviceException for a command a switch cannot take (a level, a register write)
     */
    static boolean switchTo(Command command, boolean current) throws DeviceException {
        if (command instanceof On) {
            return true;
        }
        if (command instanceof Off) {
            return false;
        }
        if (command instanceof Toggle) {
            return !current;
        }
        if (command instanceof Pulse p) {
            return p.state();
        }
        throw new DeviceException("a digital output takes ON, OFF, TOGGLE or a pulse, not " + describe(command));
    }

    /** A command as a log line or an error reply names it. */
    static String describe(Command c) {
        if (c instanceof Level l) {
            return "a level of " + Value.number(l.percent(), "%").text() + " %";
        }
        return c.getClass().getSimpleName().toUpperCase(java.util.Locale.ROOT);
    }
}
