package io.pigeon.drivers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigeon.drivers.serial.SerialLineSensor;
import io.pigeon.drivers.sim.Pty;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DeviceSupervisorTest {
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

    private final List<DeviceSupervisor> started = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        started.forEach(DeviceSupervisor::stop);
    }

    private DeviceSupervisor supervise(Device d, @Nullable Duration interval, @Nullable Duration timeout, Duration retryMin,
                                       Duration retryMax, int errorsBeforeOffline) {
        DeviceSupervisor s = new DeviceSupervisor(d, interval, timeout, retryMin, retryMax, errorsBeforeOffline,
            null, listener);
        started.add(s);
        s.start();
        return s;
    }

    /** A polled device whose failures the test switches on and off. */
    static class Flaky implements Device.Polled {
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
        DeviceSupervisor s = supervise(d, Duration.ofMillis(50), null, Duration.ofMillis(20),
            Duration.ofMillis(200), 3);
        await(() -> d.opens.get() >= 4, "retries");
        assertEquals("climate:offline I2C read failed: Remote I/O error", health.get(0));
        assertEquals(1, health.size(), "the same reason is reported once");
        d.present = true;
        await(() -> s.health() != null && s.health().online(), "online");
        await(() -> !readings.isEmpty(), "readings after recovery");
        d.failPoll = true; // a driver bug counts as a failed read, not as a crash
        await(() -> !s.health().online(), "offline after failing polls");
        assertTrue(health.get(health.size() - 1).endsWith("IllegalStateException: driver bug (3 failures in a row)"),
            health.toString());
        d.failPoll = false;
        await(() -> s.health().online(), "back online");
        s.stop();
    }

    @Test
    void silenceMakesADeviceOfflineUntilDataComesBack() throws Exception {
        Flaky d = new Flaky("meter");
        DeviceSupervisor s = supervise(d, Duration.ofMillis(20), Duration.ofMillis(200),
            Duration.ofMillis(20), Duration.ofMillis(200), 3);
        await(() -> !readings.isEmpty(), "readings");
        d.silent = true;
        await(() -> !s.health().online(), "offline");
        assertEquals("meter:offline no data for 200 ms; reopening", health.get(health.size() - 1));
        await(() -> d.opens.get() >= 2, "a silent device is reopened");
        Thread.sleep(100);
        assertFalse(s.health().online(), "reopened but still silent: offline until data comes");
        d.silent = false;
        await(() -> s.health().online(), "online");
        assertTrue(s.counters().get("silences") >= 1, s.counters().toString());
    }

    @Test
    void oneFailingDeviceDoesNotDisturbAnother() throws Exception {
        Flaky bad = new Flaky("bad");
        bad.failPoll = true;
        Flaky good = new Flaky("good");
        supervise(bad, Duration.ofMillis(10), null, Duration.ofMillis(10), Duration.ofMillis(50), 3);
        DeviceSupervisor sg = supervise(good, Duration.ofMillis(10), null, Duration.ofMillis(10),
            Duration.ofMillis(50), 3);
        await(() -> readings.stream().filter(r -> r.device().equals("good")).count() > 10, "the good device's readings");
        assertTrue(sg.health().online());
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
        DeviceSupervisor s = supervise(relay, null, null, Duration.ofMillis(20), Duration.ofMillis(50), 3);
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
        try (Pty pty = Pty.temporary()) {
            SerialLineSensor sensor = new SerialLineSensor(Settings.of("climate", Map.of("port", pty.device())));
            DeviceSupervisor s = supervise(sensor, null, Duration.ofSeconds(30), Duration.ofMillis(200),
                Duration.ofSeconds(1), 3);
            await(() -> s.health() != null && s.health().online(), "online");
            pty.write("\ntemperature=20\n"); // the first line after an open is discarded as a likely fragment
            await(() -> !readings.isEmpty(), "reading");
            long t0 = System.nanoTime();
            pty.unplug();
            await(() -> !s.health().online(), "offline");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 2000, "offline after " + ms + " ms");
            assertEquals("climate:offline port " + pty.device() + " disappeared", health.get(health.size() - 1));
            pty.plugIn();
            await(() -> s.health().online(), "online again");
            pty.write("\ntemperature=21\n");
            await(() -> readings.size() >= 2, "reading after replug");
            assertEquals(Value.number(21, ""), readings.get(readings.size() - 1).value());
            s.stop();
        }
    }

    /**
     * A line device that keeps inventing names (a receiver passing on rolling ids) is held to its declared names and
     * {@value DeviceSupervisor#MAX_UNDECLARED_NAMES} more: the rest are dropped and counted, its declared readings
     * still arrive, and the device stays online.
     */
    @Test
    void aDeviceThatKeepsInventingReadingNamesIsHeldToABoundedSet() throws Exception {
        try (Pty pty = Pty.temporary()) {
            SerialLineSensor sensor = new SerialLineSensor(Settings.of("radio", Map.of("port", pty.device(),
                "readings", List.of("temperature"))));
            DeviceSupervisor s = supervise(sensor, null, Duration.ofSeconds(30), Duration.ofMillis(200),
                Duration.ofSeconds(1), 3);
            await(() -> s.health() != null && s.health().online(), "online");
            StringBuilder lines = new StringBuilder("\n");
            for (int id = 0; id < 200; id++) {
                lines.append("id_").append(id).append("=1\n");
            }
            pty.write(lines.append("temperature=21\n").toString());
            await(() -> readings.stream().anyMatch(r -> r.name().equals("temperature")), "the declared reading");
            assertEquals(DeviceSupervisor.MAX_UNDECLARED_NAMES + 1,
                readings.stream().map(Reading::name).distinct().count());
            assertEquals(200 - DeviceSupervisor.MAX_UNDECLARED_NAMES,
                s.counters().get(DeviceSupervisor.NAMES_OVER_LIMIT));
            assertTrue(s.health().online());
            s.stop();
        }
        // A driver's own names (a hwmon chip's many sensors) are not held to the bound: they are no one's input.
        Flaky many = new Flaky("hwmon") {
            @Override
            public void poll(DeviceContext ctx) {
                for (int i = 0; i < 100; i++) {
                    ctx.reading("in" + i, Value.number(i, "V"));
                }
            }
        };
        supervise(many, Duration.ofMillis(50), null, Duration.ofMillis(200), Duration.ofSeconds(1), 3);
        await(() -> readings.stream().filter(r -> r.device().equals("hwmon")).map(Reading::name).distinct().count()
            == 100, "all 100 names of a fixed-name driver");
    }

    /** A polled device whose poll blocks until released, as a 1-Wire conversion or a Modbus timeout does. */
    static final class Blocking extends Flaky {
        final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        volatile boolean entered;

        Blocking(String name) {
            super(name);
        }

        @Override
        public void poll(DeviceContext ctx) {
            entered = true;
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Test
    void devicesBlockedInAReadDelayNoOtherDevice() throws Exception {
        // On a shared pool of two threads (before) two blocked reads starved every other device.
        List<Blocking> blocked = List.of(new Blocking("w1-a"), new Blocking("w1-b"), new Blocking("w1-c"));
        for (Blocking b : blocked) {
            supervise(b, Duration.ofMillis(10), null, Duration.ofMillis(10), Duration.ofMillis(50), 3);
        }
        await(() -> blocked.stream().allMatch(b -> b.entered), "every slow device in its read");
        Flaky good = new Flaky("good");
        supervise(good, Duration.ofMillis(10), null, Duration.ofMillis(10), Duration.ofMillis(50), 3);
        await(() -> readings.stream().filter(r -> r.device().equals("good")).count() >= 5, "the free device's readings");
        blocked.forEach(b -> b.release.countDown());
    }

    @Test
    void aSingleFailureIsCountedAndOnlyTooManyInARowMakeADeviceOffline() throws Exception {
        AtomicInteger polls = new AtomicInteger();
        Flaky d = new Flaky("probe") {
            @Override
            public void poll(DeviceContext ctx) throws DeviceException {
                int n = polls.incrementAndGet();
                if (n % 3 == 0) { // every third read fails, never twice in a row
                    throw new DeviceException("1-Wire CRC check failed");
                }
                ctx.reading("value", Value.number(n, ""));
            }
        };
        DeviceSupervisor s = supervise(d, Duration.ofMillis(5), null, Duration.ofMillis(10), Duration.ofMillis(50), 2);
        await(() -> polls.get() >= 30, "polls");
        assertEquals(List.of("probe:online"), health, "one bad read at a time never flips availability");
        assertTrue(s.counters().get("read_errors") >= 9, s.counters().toString());
        assertEquals(1, d.opens.get());
    }

    @Test
    void eventDrivenFailuresMakeTheDeviceOfflineUntilTheNextGoodFrame() throws Exception {
        DeviceContext[] ctx = new DeviceContext[1];
        Flaky d = new Flaky("gps") {
            @Override
            public void open(DeviceContext c) {
                ctx[0] = c;
            }
        };
        DeviceSupervisor s = new DeviceSupervisor(d, null, null, Duration.ofMillis(10), Duration.ofMillis(50), 3,
            null, listener);
        started.add(s);
        s.start();
        await(() -> s.health() != null && s.health().online(), "online");
        ctx[0].failed("checksum_errors", "checksum errors");
        ctx[0].failed("checksum_errors", "checksum errors");
        assertTrue(s.health().online(), "two bad frames are only counted");
        ctx[0].rejected("altitude", "NaN");
        ctx[0].failed("checksum_errors", "checksum errors");
        assertEquals("gps:offline checksum errors (3 failures in a row)", health.get(health.size() - 1));
        ctx[0].alive();
        assertTrue(s.health().online(), "a good frame ends it");
        assertEquals(3L, s.counters().get("checksum_errors"));
        assertEquals(1L, s.counters().get("altitude_rejected"));
    }

    @Test
    void aThrowingListenerOrTaskNeverStopsTheDevice() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        DeviceSupervisor.Listener throwing = new DeviceSupervisor.Listener() {
            @Override
            public void reading(Reading reading) {
                calls.incrementAndGet();
                throw new IllegalStateException("publisher bug");
            }

            @Override
            public void health(Device device, Health h) {
            }
        };
        DeviceSupervisor s = new DeviceSupervisor(new Flaky("x"), Duration.ofMillis(5), null, Duration.ofMillis(10),
            Duration.ofMillis(50), 3, null, throwing);
        started.add(s);
        s.start();
        await(() -> calls.get() >= 10, "polls go on");
        assertTrue(s.execute(() -> {
            throw new IllegalStateException("command bug");
        }));
        int before = calls.get();
        await(() -> calls.get() > before + 5, "polls go on after a failed task");
        assertTrue(s.health().online());
    }

    @Test
    void commandsForABusyDeviceAreBoundedAndRefusedBeyond() throws Exception {
        Blocking d = new Blocking("modbus");
        DeviceSupervisor s = supervise(d, Duration.ofMillis(10), null, Duration.ofMillis(10), Duration.ofMillis(50), 3);
        await(() -> d.entered, "blocked in its poll");
        int accepted = 0;
        for (int i = 0; i < 100; i++) {
            if (s.execute(() -> { })) {
                accepted++;
            }
        }
        assertEquals(DeviceSupervisor.MAX_PENDING, accepted);
        d.release.countDown();
        await(() -> s.execute(() -> { }), "accepting again once the device is free");
    }
}
