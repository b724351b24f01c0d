package io.pigeon.drivers.gpio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput;
import com.pi4j.plugin.mock.provider.pwm.MockPwm;
import io.pigeon.drivers.Command;
import io.pigeon.drivers.DeviceException;
import io.pigeon.drivers.Pi4jPlatform;
import io.pigeon.drivers.RecordingContext;
import io.pigeon.drivers.Settings;
import io.pigeon.drivers.Value;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** GPIO and PWM drivers on Pi4J's mock platform. */
class Pi4jMockDriversTest {
    private static final Duration WAIT = Duration.ofSeconds(2);
    private final Pi4jPlatform platform = Pi4jPlatform.of("mock");
    private final RecordingContext ctx = new RecordingContext();

    @AfterEach
    void close() {
        ctx.close();
        platform.close();
    }

    @Test
    void inputPublishesEachEdgeRespectingActiveLow() throws Exception {
        GpioInput door = new GpioInput(Settings.of("door", Map.of("pin", 17, "pull", "up", "active_low", true)), platform);
        door.open(ctx);
        MockDigitalInput pin = (MockDigitalInput) door.input();
        assertEquals(Value.bool(true), ctx.next(WAIT).value(), "initial: LOW with active-low is ON");
        pin.mockState(DigitalState.HIGH);
        assertEquals(Value.bool(false), ctx.next(WAIT).value());
        pin.mockState(DigitalState.LOW);
        assertEquals(Value.bool(true), ctx.next(WAIT).value());
        door.close();
        door.open(ctx); // reopening after close works (the Pi4J IO was released)
        door.close();
    }

    @Test
    void debounceSwallowsBouncesAndPublishesTheSettledLevel() throws Exception {
        GpioInput button = new GpioInput(Settings.of("button", Map.of("pin", 5, "debounce", "50ms")), platform);
        button.open(ctx);
        assertEquals(Value.bool(false), ctx.next(WAIT).value());
        MockDigitalInput pin = (MockDigitalInput) button.input();
        for (int i = 0; i < 5; i++) {
            pin.mockState(DigitalState.HIGH);
            pin.mockState(DigitalState.LOW);
        }
        pin.mockState(DigitalState.HIGH);
        assertEquals(Value.bool(true), ctx.next(WAIT).value());
        assertNull(ctx.poll(Duration.ofMillis(150)), "one reading for the whole bounce");
        assertTrue(ctx.counter("bounces") >= 10);
        button.close();
    }

    @Test
    void counterCountsEveryPulse() throws Exception {
        PulseCounter meter = new PulseCounter(Settings.of("water", Map.of("pin", 22, "counter", true,
            "per_pulse", 0.5, "unit", "L")), platform);
        meter.open(ctx);
        MockDigitalInput pin = (MockDigitalInput) platform.context().registry().get("pigeon-water");
        Thread[] threads = new Thread[1];
        threads[0] = new Thread(() -> {
            for (int i = 0; i < 1000; i++) {
                pin.mockState(DigitalState.HIGH);
                pin.mockState(DigitalState.LOW);
            }
        });
        threads[0].start();
        threads[0].join();
        meter.poll(ctx);
        assertEquals(Value.number(1000, ""), ctx.next("pulses", WAIT).value());
        assertEquals(Value.number(1000, ""), ctx.next("total", WAIT).value());
        assertEquals(Value.number(500, "L"), ctx.next("quantity", WAIT).value());
        pin.mockState(DigitalState.HIGH);
        meter.poll(ctx);
        assertEquals(Value.number(1, ""), ctx.next("pulses", WAIT).value());
        meter.close();
    }

    @Test
    void aReedSwitchThatBouncesOnMakeAndOnBreakCountsOncePerPulse() throws Exception {
        PulseCounter meter = new PulseCounter(Settings.of("water", Map.of("pin", 22, "counter", true,
            "debounce", "20ms")), platform);
        meter.open(ctx);
        MockDigitalInput pin = (MockDigitalInput) platform.context().registry().get("pigeon-water");
        for (int pulse = 0; pulse < 5; pulse++) {
            for (int bounce = 0; bounce < 3; bounce++) { // make: the contact chatters, then closes
                pin.mockState(DigitalState.HIGH);
                pin.mockState(DigitalState.LOW);
            }
            pin.mockState(DigitalState.HIGH);
            Thread.sleep(60); // closed
            for (int bounce = 0; bounce < 3; bounce++) { // break: chatters again, then opens
                pin.mockState(DigitalState.LOW);
                pin.mockState(DigitalState.HIGH);
            }
            pin.mockState(DigitalState.LOW);
            Thread.sleep(60); // open
        }
        meter.poll(ctx);
        assertEquals(Value.number(5, ""), ctx.next("pulses", WAIT).value(), "before: 10, one per make and per break");
        assertTrue(ctx.counter("bounces") >= 25, "bounces counted: " + ctx.counter("bounces"));
        meter.close();
    }

    @Test
    void outputCommandsPulseAndSafeState() throws Exception {
        GpioOutput relay = new GpioOutput(Settings.of("relay", Map.of("pin", 27, "initial", "OFF", "safe_state", "OFF")), platform);
        relay.open(ctx);
        assertEquals(Value.bool(false), ctx.next(WAIT).value());
        relay.apply(Command.ON, ctx);
        assertEquals(Value.bool(true), ctx.next(WAIT).value());
        assertTrue(relay.output().isHigh());
        relay.apply(Command.TOGGLE, ctx);
        assertEquals(Value.bool(false), ctx.next(WAIT).value());
        long t0 = System.nanoTime();
        relay.apply(new Command.Pulse(true, Duration.ofMillis(200)), ctx);
        assertEquals(Value.bool(true), ctx.next(WAIT).value());
        assertEquals(Value.bool(false), ctx.next(WAIT).value());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms >= 190 && ms < 1000, "pulse lasted " + ms + " ms");
        assertEquals(Command.OFF, relay.safeState());
        assertThrows(DeviceException.class, () -> relay.apply(new Command.Level(50), ctx));
        relay.close();
    }

    @Test
    void activeLowOutputInvertsThePin() throws Exception {
        GpioOutput relay = new GpioOutput(Settings.of("r2", Map.of("pin", 26, "initial", "ON", "active_low", true)), platform);
        relay.open(ctx);
        assertEquals(Value.bool(true), ctx.next(WAIT).value());
        assertTrue(relay.output().isLow());
        relay.close();
    }

    @Test
    void pwmRefusesOutOfRangeDuty() throws Exception {
        PwmOutput fan = new PwmOutput(Settings.of("fan", Map.of("pin", 18, "frequency", 25000, "safe_state", 0)), platform);
        fan.open(ctx);
        assertEquals(Value.number(0, "%"), ctx.next(WAIT).value());
        fan.apply(new Command.Level(40), ctx);
        assertEquals(Value.number(40, "%"), ctx.next(WAIT).value());
        MockPwm pwm = (MockPwm) platform.context().registry().get("pigeon-fan");
        assertEquals(40f, pwm.dutyCycle(), 0.01);
        assertEquals(25000, pwm.frequency());
        DeviceException e = assertThrows(DeviceException.class, () -> fan.apply(new Command.Level(120), ctx));
        assertEquals("duty cycle 120 is outside 0..100", e.getMessage());
        assertThrows(DeviceException.class, () -> fan.apply(new Command.Level(-1), ctx));
        assertEquals(40f, pwm.dutyCycle(), 0.01, "a refused command changes nothing");
        fan.apply(Command.OFF, ctx);
        assertEquals(Value.number(0, "%"), ctx.next(WAIT).value());
        fan.close();
    }
}
