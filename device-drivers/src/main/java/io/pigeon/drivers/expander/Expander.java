package io.pigeon.drivers.expander;

import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.io.gpio.digital.PullResistance;
import com.pi4j.io.i2c.I2C;
import io.pigeon.drivers.DeviceException;
import io.pigeon.drivers.Pi4jPlatform;
import io.pigeon.drivers.Settings;
import io.pigeon.drivers.SettingsException;
import io.pigeon.drivers.gpio.Pins;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/**
 * An I2C GPIO expander whose pins the {@code gpio-in} and {@code gpio-out} drivers use when their settings name it
 * ({@code expander: {chip: mcp23017, bus: 1, address: 0x20}}). Several devices share one chip, each with its own
 * pin: every read-modify-write of a shared register happens under the chip's lock ({@link #lock}), and the
 * PCF8574's output latch, which cannot be read back, is kept here once per chip. With {@code interrupt} (the BCM
 * pin the chip's INT output is wired to, pulled up, active low) an input change is read at once instead of at
 * the next poll: the chip's inputs listen on that one line, opened by the first of them and closed by the last.
 */
abstract class Expander {
    final int bus;
    final int address;
    /** Guards the chip's registers: taken around each read-modify-write, by whichever device thread does it. */
    final Object lock = new Object();
    /** The BCM pin of the chip's INT output, or -1 (inputs only polled); set by the first device that names it. */
    private int interruptPin = -1;
    /** The inputs told of each interrupt; changed under {@link #lock}, read on Pi4J's callback thread. */
    private final List<ExpanderInput> listeners = new CopyOnWriteArrayList<>();
    private @Nullable DigitalInput interrupt; // guarded by lock

    Expander(int bus, int address) {
        this.bus = bus;
        this.address = address;
    }

    /** The expander an {@code expander} section names; the same object for every device on that chip. */
    static Expander of(@org.jspecify.annotations.Nullable Settings section, Pi4jPlatform platform) {
        if (section == null) {
            throw new IllegalStateException("no expander section"); // the caller checked: Drivers.create
        }
        String chip = section.choice("chip", "mcp23017", "mcp23017", "pcf8574");
        int bus = section.integer("bus", 1, 0, 31);
        int address = section.integer("address", 0x20, 0x20, 0x3F);
        if (chip.equals("mcp23017") && address > 0x27) {
            throw section.error("address", "an MCP23017 answers at 0x20-0x27");
        }
        if (chip.equals("pcf8574") && address > 0x27 && address < 0x38) {
            throw section.error("address", "a PCF8574 answers at 0x20-0x27, a PCF8574A at 0x38-0x3F");
        }
        int interrupt = section.has("interrupt") ? section.requireInteger("interrupt", 0, 53) : -1;
        section.rejectUnknown();
        Expander e = platform.shared("expander " + bus + " " + address, Expander.class,
            () -> chip.equals("mcp23017") ? new Mcp23017(bus, address) : new Pcf8574(bus, address));
        if (!e.chip().equals(chip)) {
            throw section.error("chip", "another device already uses bus " + bus + " address 0x"
                + Integer.toHexString(address) + " as a " + e.chip());
        }
        if (interrupt >= 0) { // devices that do not name the line share it all the same
            if (e.interruptPin >= 0 && e.interruptPin != interrupt) {
                throw section.error("interrupt", "another device on this chip names GPIO " + e.interruptPin);
            }
            e.interruptPin = interrupt;
        }
        return e;
    }

    /** Whether the chip's INT output is wired to a pin of the Pi. */
    boolean interrupts() {
        return interruptPin >= 0;
    }

    /** Tells {@code input} of every interrupt from now on; the first listener opens the line. */
    void listen(ExpanderInput input, Pi4jPlatform platform) throws DeviceException {
        synchronized (lock) {
            if (interrupt == null) {
                DigitalInput line = Pins.input(platform, lineId(), interruptPin, PullResistance.PULL_UP);
                line.addListener(event -> {
                    if (event.state() == DigitalState.LOW) { // Pi4J's callback thread: each input hands on at once
                        listeners.forEach(ExpanderInput::interrupted);
                    }
                });
                interrupt = line;
            }
            listeners.add(input);
        }
    }

    /** The last listener to go closes the line. */
    void unlisten(ExpanderInput input, Pi4jPlatform platform) {
        synchronized (lock) {
            listeners.remove(input);
            if (listeners.isEmpty() && interrupt != null) {
                interrupt = null;
                platform.release(lineId());
            }
        }
    }

    /** The line's Pi4J device name (its IO id is {@link Pi4jPlatform#ioId} of it). */
    String lineId() {
        return chip() + "-" + bus + "-" + Integer.toHexString(address) + "-int";
    }

    /** Has a change of {@code pin} (an input) signalled on the INT output. */
    abstract void interruptOnChange(I2C i2c, int pin);

    /** The device's pin, checked against this chip: 0-15 (GPA0-7, GPB0-7) or 0-7 (P0-P7). */
    int pin(Settings s) {
        return s.requireInteger("pin", 0, pins() - 1);
    }

    abstract String chip();

    abstract int pins();

    /** Makes {@code pin} an input (with the chip's pull-up when asked: both chips have pull-ups, no pull-downs). */
    abstract void input(I2C i2c, int pin, boolean pullUp);

    abstract boolean read(I2C i2c, int pin);

    /** Makes {@code pin} an output at {@code level} (the level first: no glitch to the other level). */
    abstract void output(I2C i2c, int pin, boolean level);

    abstract void write(I2C i2c, int pin, boolean level);

    static SettingsException noPullDown(Settings s) {
        return s.error("pull", "an expander pin has a pull-up or none: up or none");
    }
}
