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
}
