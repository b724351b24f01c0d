package io.pigeon.drivers.expander;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput;
import io.pigeon.drivers.Command;
import io.pigeon.drivers.Device;
import io.pigeon.drivers.Drivers;
import io.pigeon.drivers.Pi4jPlatform;
import io.pigeon.drivers.RecordingContext;
import io.pigeon.drivers.Settings;
import io.pigeon.drivers.SettingsException;
import io.pigeon.drivers.Value;
import io.pigeon.drivers.sim.Mcp23017Model;
import io.pigeon.drivers.sim.Pcf8574Model;
import io.pigeon.drivers.sim.SimulatedBoard;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** gpio-in and gpio-out on MCP23017 and PCF8574 pins, through Pi4J's mock platform and register models of the chips. */
class ExpanderPinsTest {
    private static final Duration WAIT = Duration.ofSeconds(1);
    private final SimulatedBoard board = new SimulatedBoard();
    private final Pi4jPlatform platform = board.platform();
    private final Drivers.Hardware hw = new Drivers.Hardware(platform, Path.of("/nonexistent"));
    private final RecordingContext ctx = new RecordingContext();

    @AfterEach
    void close() {
        ctx.close();
        board.close();
    }

    private boolean state() throws InterruptedException {
        return ((Value.Bool) ctx.next("state", WAIT).value()).value();
    }

    private Device device(String driver, String name, Map<String, Object> settings) {
        return Drivers.create(driver, Settings.of(name, settings), hw);
    }

    @Test
    void mcp23017PinsReadWithDebounceAndDriveWithoutTouchingTheirNeighbours() throws Exception {
        Mcp23017Model chip = new Mcp23017Model();
        board.i2c(1, 0x21, chip);
        Map<String, Object> expander = Map.of("chip", "mcp23017", "address", "0x21");
        Device.Polled button = (Device.Polled) device("gpio-in", "button",
            Map.of("expander", expander, "pin", 9, "debounce", "20ms", "active_low", true));
        Device.Actuator relay = (Device.Actuator) device("gpio-out", "relay",
            Map.of("expander", expander, "pin", 0, "initial", "OFF", "safe_state", "OFF"));
        Device.Actuator lamp = (Device.Actuator) device("gpio-out", "lamp",
            Map.of("expander", expander, "pin", 1, "initial", "ON"));
        button.open(ctx);
        assertTrue(chip.pullUp(9), "GPB1 with its pull-up");
        relay.open(ctx);
        assertFalse(state());
        lamp.open(ctx);
        assertTrue(state());
        assertTrue(chip.output(1) && !chip.output(0));

        button.poll(ctx);
        assertFalse(state(), "released: the pull-up reads 1, active low");
        chip.drive(9, false);                        // pressed
        button.poll(ctx);                            // a new level, not held for 20 ms yet
        assertTrue(ctx.readings.isEmpty(), ctx.readings.toString());
        Thread.sleep(25);
        button.poll(ctx);
        assertTrue(state(), "held for the debounce: pressed");

        relay.apply(new Command.On(), ctx);
        assertTrue(state());
        assertTrue(chip.output(0) && chip.output(1), "the lamp on pin 1 stays on");
        relay.apply(relay.safeState(), ctx);
        assertFalse(state());
        assertTrue(!chip.output(0) && chip.output(1));
        button.close();
        relay.close();
        lamp.close();
    }

    /**
     * With the chip's INT output wired to a GPIO (here a mock input the test drives, as the chip would), a change is
     * read at once, without a poll, and a change still settling is read again when its debounce is over.
     */
    @Test
    void aWiredInterruptLineReadsChangesWithoutWaitingForAPoll() throws Exception {
        Mcp23017Model chip = new Mcp23017Model();
        board.i2c(1, 0x26, chip);
        Map<String, Object> expander = Map.of("chip", "mcp23017", "address", "0x26", "interrupt", 17);
        Device.Polled bell = (Device.Polled) device("gpio-in", "bell",
            Map.of("expander", expander, "pin", 10, "active_low", true, "reading", "bell"));
        Device.Polled door = (Device.Polled) device("gpio-in", "door",
            Map.of("expander", expander, "pin", 3, "debounce", "50ms", "reading", "door"));
        bell.open(ctx);
        door.open(ctx);
        assertEquals(0x44, chip.iocon() & 0x44, "IOCON: INTA and INTB mirrored, open drain");
        assertTrue(chip.interruptOnChange(10) && chip.interruptOnChange(3), "GPINTEN set, INTCON clear");
        bell.poll(ctx); // the first polls publish, as always
        door.poll(ctx);
        assertFalse(bool("bell"));
        assertTrue(bool("door"), "the pull-up: closed contact open");
        MockDigitalInput line = platform.context().io(Pi4jPlatform.ioId("mcp23017-1-26-int"));
        line.mockState(DigitalState.HIGH);

        chip.drive(10, false); // pressed: the chip pulls INT low
        interrupt(line);
        assertTrue(bool("bell"), "read on the interrupt, no poll");

        long t0 = System.nanoTime();
        chip.drive(3, false);
        interrupt(line);
        assertFalse(bool("door"), "read again when the 50 ms debounce is over, with no edge to ask for it");
        assertTrue(System.nanoTime() - t0 >= 50_000_000L, "not before the debounce");

        bell.close();
        assertTrue(platform.context().registry().exists(Pi4jPlatform.ioId("mcp23017-1-26-int")), "the door still listens");
        door.close();
        assertFalse(platform.context().registry().exists(Pi4jPlatform.ioId("mcp23017-1-26-int")), "closed with the last");
        SettingsException other = assertThrows(SettingsException.class, () -> device("gpio-in", "x",
            Map.of("expander", Map.of("chip", "mcp23017", "address", "0x26", "interrupt", 27), "pin", 0)));
        assertTrue(other.getMessage().contains("names GPIO 17"), other.getMessage());
    }

    /** A PCF8574 needs no setup for its INT output: an interrupt alone has the contact read. */
    @Test
    void aPcf8574ContactIsReadOnItsInterrupt() throws Exception {
        Pcf8574Model chip = new Pcf8574Model();
        board.i2c(1, 0x24, chip);
        Device.Polled contact = (Device.Polled) device("gpio-in", "window",
            Map.of("expander", Map.of("chip", "pcf8574", "address", "0x24", "interrupt", 5), "pin", 2,
                "reading", "window"));
        contact.open(ctx);
        contact.poll(ctx);
        assertTrue(bool("window"));
        MockDigitalInput line = platform.context().io(Pi4jPlatform.ioId("pcf8574-1-24-int"));
        line.mockState(DigitalState.HIGH);
        chip.drive(2, false);
        interrupt(line);
        assertFalse(bool("window"), "read on the interrupt, no poll");
        contact.close();
    }

    private static void interrupt(MockDigitalInput line) {
        line.mockState(DigitalState.LOW);
        line.mockState(DigitalState.HIGH); // cleared by the read, as far as this test is concerned
    }

    private boolean bool(String reading) throws InterruptedException {
        return ((Value.Bool) ctx.next(reading, WAIT).value()).value();
    }

    @Test
    void pcf8574RelayBoardPulsesAndReadsAContact() throws Exception {
        Pcf8574Model chip = new Pcf8574Model();
        board.i2c(1, 0x22, chip);
        Map<String, Object> expander = Map.of("chip", "pcf8574", "address", "0x22");
        Device.Actuator relay = (Device.Actuator) device("gpio-out", "opener",
            Map.of("expander", expander, "pin", 3, "active_low", true)); // relay boards switch on a low input
        Device.Polled contact = (Device.Polled) device("gpio-in", "door", Map.of("expander", expander, "pin", 6));
        relay.open(ctx);
        assertFalse(state());
        assertFalse(chip.low(3), "OFF: the input pin is left high");
        contact.open(ctx);
        contact.poll(ctx);
        assertTrue(state(), "an open contact: the weak pull-up reads 1");
        chip.drive(6, false);
        contact.poll(ctx);
        assertFalse(state());
        relay.apply(new Command.Pulse(true, Duration.ofMillis(50)), ctx);
        assertTrue(state());
        assertTrue(chip.low(3), "ON: driven low, the relay pulls in");
        assertFalse(state(), "and back after the pulse");
        assertFalse(chip.low(3));
        assertFalse(chip.low(6), "the contact's pin stays an input");
        relay.close();
        contact.close();
    }

    @Test
    void badExpanderSettingsAreNamed() {
        SettingsException pin = assertThrows(SettingsException.class, () -> device("gpio-out", "x",
            Map.of("expander", Map.of("chip", "pcf8574", "address", "0x23"), "pin", 8)));
        assertTrue(pin.getMessage().contains("pin"), pin.getMessage());
        SettingsException address = assertThrows(SettingsException.class, () -> device("gpio-in", "x",
            Map.of("expander", Map.of("chip", "mcp23017", "address", "0x38"), "pin", 0)));
        assertTrue(address.getMessage().contains("0x20-0x27"), address.getMessage());
        SettingsException pull = assertThrows(SettingsException.class, () -> device("gpio-in", "x",
            Map.of("expander", Map.of("chip", "mcp23017", "address", "0x24"), "pin", 0, "pull", "down")));
        assertTrue(pull.getMessage().contains("pull-up or none"), pull.getMessage());
        assertEquals("mcp23017", Expander.of(Settings.of("y", Map.of("address", "0x25")), platform).chip());
        SettingsException clash = assertThrows(SettingsException.class,
            () -> Expander.of(Settings.of("z", Map.of("chip", "pcf8574", "address", "0x25")), platform));
        assertTrue(clash.getMessage().contains("already uses"), clash.getMessage());
    }

    /**
     * A chip is shared by the devices of one platform (one gateway), not of the process: a second gateway in the
     * same JVM (a test, the simulator) may have another chip at the address, and starts from its own latch.
     */
    @Test
    void eachPlatformHasItsOwnChips() throws Exception {
        board.i2c(1, 0x20, new Pcf8574Model());
        Device.Actuator first = (Device.Actuator) device("gpio-out", "first",
            Map.of("expander", Map.of("chip", "pcf8574", "address", "0x20"), "pin", 0, "initial", "OFF"));
        first.open(ctx);
        assertFalse(state()); // this board's pin 0 driven low
        try (SimulatedBoard other = new SimulatedBoard()) {
            Pcf8574Model chip = new Pcf8574Model();
            other.i2c(1, 0x20, chip);
            Drivers.Hardware otherHw = new Drivers.Hardware(other.platform(), Path.of("/nonexistent"));
            Device.Actuator second = (Device.Actuator) Drivers.create("gpio-out", Settings.of("second",
                Map.of("expander", Map.of("chip", "pcf8574", "address", "0x20"), "pin", 1, "initial", "ON")), otherHw);
            second.open(ctx);
            assertTrue(state());
            assertFalse(chip.low(0), "the other board's pin 0 is not the first board's: still released");
            assertThrows(SettingsException.class, () -> Drivers.create("gpio-in", Settings.of("third",
                Map.of("expander", Map.of("chip", "mcp23017", "address", "0x20"), "pin", 2)), otherHw),
                "within one platform a clash is still found");
            second.close();
        }
        first.close();
    }
}
