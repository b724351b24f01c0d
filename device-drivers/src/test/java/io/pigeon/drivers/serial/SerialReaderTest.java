package io.pigeon.drivers.serial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigeon.drivers.RecordingContext;
import io.pigeon.drivers.Settings;
import io.pigeon.drivers.sim.Pty;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The one thread that reads every serial port, on real pseudo-terminals. */
class SerialReaderTest {
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final List<Pty> ptys = new ArrayList<>();
    private final List<SerialLink> links = new ArrayList<>();

    @AfterEach
    void stop() {
        links.forEach(SerialLink::close);
        ptys.forEach(Pty::close);
        scheduler.shutdownNow();
    }

    private static long threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(prefix)).count();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + 5_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < end, "timed out waiting for " + what);
            Thread.sleep(5);
        }
    }

    private Pty pty() throws IOException {
        Pty pty = Pty.temporary();
        ptys.add(pty);
        return pty;
    }

    private SerialLink open(Pty pty, SerialLink.Sink sink, ConcurrentLinkedQueue<String> lost) throws Exception {
        SerialLink link = SerialLink.open(SerialSettings.from(Settings.of("p", Map.of("port", pty.device())), 9600),
            sink, lost::add, scheduler);
        links.add(link);
        return link;
    }

    @Test
    void twentyPortsAreReadByOneThreadThatEndsWithTheLastPort() throws Exception {
        // Before, jssc ran an event thread per port, each waking about 10,000 times a second.
        int n = 20;
        List<ByteArrayOutputStream> got = new ArrayList<>();
        ConcurrentLinkedQueue<String> lost = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < n; i++) {
            Pty pty = pty();
            ByteArrayOutputStream into = new ByteArrayOutputStream();
            got.add(into);
            open(pty, (data, length) -> {
                synchronized (into) {
                    into.write(data, 0, length);
                }
            }, lost);
        }
        for (int round = 0; round < 5; round++) {
            for (int i = 0; i < n; i++) {
                ptys.get(i).write("port " + i + " line " + round + "\n");
            }
        }
        for (int i = 0; i < n; i++) {
            ByteArrayOutputStream into = got.get(i);
            String expected = "port " + i + " line 0\nport " + i + " line 1\nport " + i + " line 2\nport " + i
                + " line 3\nport " + i + " line 4\n";
            await(() -> {
                synchronized (into) {
                    return into.toString(StandardCharsets.US_ASCII).equals(expected);
                }
            }, "port " + i + "'s lines, in order");
        }
        assertEquals(0, threadsNamed("EventThread"), "no jssc event threads");
        assertEquals(1, threadsNamed("pigeon-serial-reader"));
        assertEquals(List.of(), List.copyOf(lost));
        links.forEach(SerialLink::close);
        await(() -> SerialReader.SHARED.size() == 0 && threadsNamed("pigeon-serial-reader") == 0,
            "the reader to end with the last port");
    }

    @Test
    void aSinkThatThrowsLosesOnlyItsOwnPort() throws Exception {
        Pty bad = pty();
        Pty good = pty();
        ConcurrentLinkedQueue<String> lost = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
        open(bad, (data, length) -> {
            throw new IllegalStateException("a driver's bug");
        }, lost);
        open(good, (data, length) -> lines.add(new String(data, 0, length, StandardCharsets.US_ASCII)), lost);
        bad.write("boom\n");
        await(() -> !lost.isEmpty(), "the bad port reported lost");
        assertTrue(lost.peek().contains("a driver's bug"), lost.toString());
        good.write("still here\n");
        await(() -> String.join("", lines).equals("still here\n"), "the good port's bytes");
        assertEquals(1, lost.size());
    }

    @Test
    void aModbusBusKeepingItsSilenceDelaysNoOtherPort() throws Exception {
        // A Modbus master keeps the line silent before each request (3.5 characters; at 300 baud, 128 ms). It
        // used to sleep holding its monitor, under which the reader hands over bytes: with one reader for
        // every port, the bus's traffic would then hold up every other port for as long.
        Pty bus = pty();
        Pty other = pty();
        ModbusRtu modbus = new ModbusRtu(Settings.of("meter", Map.of("port", bus.device(), "baud", 300, "slave", 1,
            "response_timeout", "300ms", "registers", List.of(Map.of("name", "v", "address", 0)))));
        RecordingContext ctx = new RecordingContext();
        modbus.open(ctx);
        ConcurrentLinkedQueue<Long> arrivals = new ConcurrentLinkedQueue<>();
        open(other, (data, length) -> arrivals.add(System.nanoTime()), new ConcurrentLinkedQueue<>());
        Thread poller = new Thread(() -> {
            for (int i = 0; i < 6; i++) {
                try {
                    modbus.poll(ctx); // nobody answers: a timeout each time, after the silence
                } catch (Exception e) {
                    // expected
                }
            }
        });
        poller.start();
        long worst = 0;
        for (int i = 0; i < 40 && poller.isAlive(); i++) {
            bus.write(new byte[] {0x55}); // traffic on the bus: the reader goes to the Modbus driver's monitor
            int before = arrivals.size();
            long sent = System.nanoTime();
            other.write("x\n");
            await(() -> arrivals.size() > before, "the other port's bytes");
            worst = Math.max(worst, arrivals.stream().mapToLong(Long::longValue).max().orElse(sent) - sent);
            Thread.sleep(20);
        }
        poller.join();
        modbus.close();
        ctx.close();
        assertTrue(worst < 60_000_000L, "the other port waited " + worst / 1_000_000 + " ms");
    }
}
