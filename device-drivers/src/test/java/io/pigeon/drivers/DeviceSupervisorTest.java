package io.pigeon.drivers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigeon.drivers.serial.PtyPair;
import io.pigeon.drivers.serial.SerialLineSensor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DeviceSupervisorTest {
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
    private final List<Reading> readings = new CopyOnWriteArrayList<>();
    private final List<String> health = new CopyOnWriteArrayList<>();
    private final DeviceSupervisor.Listener listener = new DeviceSupervisor.Listener() {
        @Override
        public void reading(Reading reading) {
            readings.add(reading);
        }

        @Override
        public void health(Device device, Health h) {
            health.add(device.name() + ":" + (h.online() ? "online" : "offline " + h.reason()));
        }
    };

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    /** A polled device whose failures the test switches on and off. */
    static final class Flaky implements Device.Polled {
        final String name;
        volatile boolean present = true;
        volatile boolean failPoll;
        volatile boolean silent;
        final AtomicInteger opens = new AtomicInteger();

        Flaky(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public DeviceKind kind() {
            return DeviceKind.SENSOR;
        }

        @Override
        public void open(DeviceContext ctx) throws DeviceException {
            opens.incrementAndGet();
            if (!present) {
                throw new DeviceException("I2C read failed: Remote I/O error");
            }
        }

        @Override
        public void poll(DeviceContext ctx) throws DeviceException {
            if (failPoll) {
                throw new IllegalStateException("driver bug");
            }
            if (!silent) {
                ctx.reading("value", Value.number(1, ""));
            }
        }

        @Override
        public void close() {
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void aLostDeviceIsRetriedWithBackoffAndComesBack() throws Exception {
        Flaky d = new Flaky("climate");
        d.present = false;
        DeviceSupervisor s = new DeviceSupervisor(d, Duration.ofMillis(50), null, Duration.ofMillis(20),
            Duration.ofMillis(200), scheduler, listener);
        s.start();
        await(() -> d.opens.get() >= 4, "retries");
        assertEquals("climate:offline I2C read failed: Remote I/O error", health.get(0));
        assertEquals(1, health.size(), "the same reason is reported once");
        d.present = true;
        await(() -> s.health() != null && s.health().online(), "online");
        await(() -> !readings.isEmpty(), "readings after recovery");
        d.failPoll = true; // a driver bug counts as losing the device, not as a crash
        await(() -> !s.health().online(), "offline after a failing poll");
        assertTrue(health.get(health.size() - 1).contains("IllegalStateException: driver bug"), health.toString());
        d.failPoll = false;
        await(() -> s.health().online(), "back online");
        s.stop();
    }

    @Test
    void silenceMakesADeviceOfflineUntilDataComesBack() throws Exception {
        Flaky d = new Flaky("meter");
        DeviceSupervisor s = new DeviceSupervisor(d, Duration.ofMillis(20), Duration.ofMillis(200),
            Duration.ofMillis(20), Duration.ofMillis(200), scheduler, listener);
        s.start();
        await(() -> !readings.isEmpty(), "readings");
        d.silent = true;
        await(() -> !s.health().online(), "offline");
        assertEquals("meter:offline no data for 200 ms", health.get(health.size() - 1));
        d.silent = false;
        await(() -> s.health().online(), "online");
        assertEquals(1, d.opens.get(), "a silent device is not reopened");
        s.stop();
    }

    @Test
    void oneFailingDeviceDoesNotDisturbAnother() throws Exception {
        Flaky bad = new Flaky("bad");
        bad.failPoll = true;
        Flaky good = new Flaky("good");
        DeviceSupervisor sb = new DeviceSupervisor(bad, Duration.ofMillis(10), null, Duration.ofMillis(10),
            Duration.ofMillis(50), scheduler, listener);
        DeviceSupervisor sg = new DeviceSupervisor(good, Duration.ofMillis(10), null, Duration.ofMillis(10),
            Duration.ofMillis(50), scheduler, listener);
        sb.start();
        sg.start();
        Thread.sleep(300);
        long goodReadings = readings.stream().filter(r -> r.device().equals("good")).count();
        assertTrue(goodReadings > 10, "good device kept reading: " + goodReadings);
        assertTrue(sg.health().online());
        sb.stop();
        sg.stop();
    }

    @Test
    void actuatorsAreRefusedWhileOfflineAndGetTheirSafeStateOnStop() throws Exception {
        List<Command> applied = new CopyOnWriteArrayList<>();
        boolean[] present = {false};
        Device.Actuator relay = new Device.Actuator() {
            @Override
            public String name() {
                return "relay";
            }

            @Override
            public DeviceKind kind() {
                return DeviceKind.ACTUATOR;
            }

            @Override
            public void open(DeviceContext ctx) throws DeviceException {
                if (!present[0]) {
                    throw new DeviceException("GPIO 27 could not be opened");
                }
            }

            @Override
            public void close() {
            }

            @Override
            public void apply(Command command, DeviceContext ctx) {
                applied.add(command);
            }

            @Override
            public Command safeState() {
                return Command.OFF;
            }
        };
        DeviceSupervisor s = new DeviceSupervisor(relay, null, null, Duration.ofMillis(20), Duration.ofMillis(50),
            scheduler, listener);
        s.start();
        await(() -> s.health() != null, "first attempt");
        DeviceException e = assertThrows(DeviceException.class, () -> s.apply(Command.ON));
        assertEquals("device 'relay' is offline: GPIO 27 could not be opened", e.getMessage());
        present[0] = true;
        await(s::isOpen, "open");
        s.apply(Command.ON);
        s.stop();
        assertEquals(List.of(Command.ON, Command.OFF), applied);
        assertFalse(s.isOpen());
    }

    @Test
    void unpluggedSerialAdapterGoesOfflineWithinTwoSecondsAndRecovers() throws Exception {
        try (PtyPair pty = new PtyPair()) {
            SerialLineSensor sensor = new SerialLineSensor(Settings.of("climate", Map.of("port", pty.device())));
            DeviceSupervisor s = new DeviceSupervisor(sensor, null, Duration.ofSeconds(30), Duration.ofMillis(200),
                Duration.ofSeconds(1), scheduler, listener);
            s.start();
            await(() -> s.health() != null && s.health().online(), "online");
            pty.write("temperature=20\n");
            await(() -> !readings.isEmpty(), "reading");
            long t0 = System.nanoTime();
            pty.unplug();
            await(() -> !s.health().online(), "offline");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 2000, "offline after " + ms + " ms");
            assertEquals("climate:offline port " + pty.device() + " disappeared", health.get(health.size() - 1));
            pty.plugIn();
            await(() -> s.health().online(), "online again");
            pty.write("temperature=21\n");
            await(() -> readings.size() >= 2, "reading after replug");
            assertEquals(Value.number(21, ""), readings.get(readings.size() - 1).value());
            s.stop();
        }
    }
}
