package io.pigeon.gateway.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.pigeon.drivers.Command;
import io.pigeon.drivers.Value;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CommandParserTest {
    @Test
    void plainAndJsonCommands() throws Exception {
        assertEquals(Command.ON, CommandParser.parse("ON"));
        assertEquals(Command.OFF, CommandParser.parse(" off\n"));
        assertEquals(Command.TOGGLE, CommandParser.parse("Toggle"));
        assertEquals(new Command.Level(40), CommandParser.parse("40"));
        assertEquals(new Command.Level(12.5), CommandParser.parse("{\"duty\": 12.5}"));
        assertEquals(new Command.Pulse(true, Duration.ofMillis(500)), CommandParser.parse("{\"state\":\"ON\",\"for_ms\":500}"));
        assertEquals(Command.OFF, CommandParser.parse("{\"state\":\"OFF\"}"));
        assertEquals(new Command.Write("setpoint", 21.5), CommandParser.parse("{\"register\":\"setpoint\",\"value\":21.5}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "BANANA", "{", "{}", "{\"state\":\"ON\",\"for_ms\":-5}", "{\"state\":\"TOGGLE\",\"for_ms\":5}",
        "{\"colour\":\"red\"}", "{\"register\":\"x\"}", "NaN", "{\"duty\":\"high\"}", "{\"for_ms\":100}",
        // strict JSON (RFC 8259): before, these were taken leniently, and the first switched the relay
        "{garbage \"state\":\"ON\" garbage}", "{\"state\":\"ON\",\"state\":\"OFF\"}", "{\"state\":\"ON\"} x",
        "{\"state\":1}", "{\"state\":\"ON\",}", "{'state':'ON'}", "40d", "0x10", "Infinity", "[\"ON\"]",
        "{\"state\":\"ON\",\"for_ms\":1.5}"})
    void badCommandsAreRefusedWithAReason(String payload) {
        CommandParser.BadCommand e = assertThrows(CommandParser.BadCommand.class, () -> CommandParser.parse(payload));
        assertEquals(false, e.getMessage().isBlank());
    }

    @Test
    void publishPolicyDeadbandHeartbeatAndRounding() {
        PublishPolicy p = new PublishPolicy(true, 0.5, Duration.ofSeconds(10), 1);
        long t = 0;
        assertEquals(Value.number(21.0, "°C"), p.admit("t", Value.number(21.04, "°C"), t));
        assertNull(p.admit("t", Value.number(21.3, "°C"), t + 1), "below the deadband");
        assertEquals(Value.number(21.6, "°C"), p.admit("t", Value.number(21.6, "°C"), t + 2));
        assertNull(p.admit("t", Value.number(21.6, "°C"), t + 3));
        assertEquals(Value.number(21.6, "°C"), p.admit("t", Value.number(21.6, "°C"), Duration.ofSeconds(11).toNanos()),
            "heartbeat");
        assertEquals(Value.bool(true), p.admit("door", Value.bool(true), 0));
        assertNull(p.admit("door", Value.bool(true), 1));
        assertEquals(Value.bool(false), p.admit("door", Value.bool(false), 2));
        PublishPolicy all = new PublishPolicy(false, 0, null, -1);
        assertEquals(Value.number(1.23456, ""), all.admit("x", Value.number(1.23456, ""), 0));
        assertEquals(Value.number(1.23456, ""), all.admit("x", Value.number(1.23456, ""), 1));
    }
}
