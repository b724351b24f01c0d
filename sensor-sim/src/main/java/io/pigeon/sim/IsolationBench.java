package io.pigeon.sim;

import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput;
import io.pigeon.broker.EmbeddedBroker;
import io.pigeon.drivers.Pi4jPlatform;
import io.pigeon.drivers.sim.SimulatedI2cProvider;
import io.pigeon.drivers.sim.SimulatedSpiProvider;
import io.pigeon.gateway.bridge.Gateway;
import io.pigeon.gateway.config.ConfigLoader;
import io.pigeon.gateway.config.GatewayConfig;
import io.pigeon.mqtt.MqttClient;
import io.pigeon.mqtt.MqttOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code pigeon-sim isolation}: does a slow device delay another? The real gateway, in this process, reads four
 * DS18B20s whose {@code w1_slave} is a named pipe that answers 750 ms after it is opened (the kernel's 1-Wire
 * conversion time, during which the read blocks), and a button (gpio-in with a 5 ms debounce) pressed for
 * 150 ms with 150 ms between presses. It reports how many of the button's edges reached the broker and the
 * latency from edge to the subscriber's receipt.
 */
final class IsolationBench {
    private static final int SLOW_DEVICES = 4;
    private static final long CONVERSION_MILLIS = 750;

    private IsolationBench() {
    }

    @SuppressWarnings("try") // the broker only has to run while the benchmark does
    static int run(int presses) throws Exception {
        Path dir = Files.createTempDirectory("pigeon-isolation");
        List<Thread> converters = new ArrayList<>();
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        StringBuilder devices = new StringBuilder();
        for (int i = 0; i < SLOW_DEVICES; i++) {
            String id = String.format("28-00000000000%d", i);
            Path base = Files.createDirectories(dir.resolve("w1-" + i));
            Path sensor = Files.createDirectories(base.resolve(id));
            Path fifo = sensor.resolve("w1_slave");
            Process mk = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
            if (mk.waitFor() != 0) {
                System.err.println("pigeon-sim: mkfifo failed");
                return 1;
            }
            devices.append(String.format("  - {name: probe%d, driver: ds18b20, base_dir: %s, id: %s, interval: 1s}%n",
                i, base, id));
            Thread t = new Thread(() -> convert(fifo), "w1-conversion-" + i);
            t.setDaemon(true);
            converters.add(t);
        }
        String yaml = """
            mqtt: {host: 127.0.0.1, port: %d, client_id: pigeon-isolation, topic_prefix: bench}
            platform: mock
            devices:
              - {name: button, driver: gpio-in, pin: 17, debounce: 5ms, qos: 1}
            %s""".formatted(port, devices);
        ConcurrentLinkedQueue<Long> edges = new ConcurrentLinkedQueue<>();
        List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicInteger received = new AtomicInteger();
        AtomicInteger out = new AtomicInteger();
        try (EmbeddedBroker broker = new EmbeddedBroker(port);
             Pi4jPlatform platform = Pi4jPlatform.simulated(new SimulatedI2cProvider(), new SimulatedSpiProvider())) {
            GatewayConfig cfg = new ConfigLoader(Map.of(), platform).parse(dir.resolve("isolation.yaml"), yaml);
            MqttClient sub = new MqttClient(MqttOptions.builder().host("127.0.0.1").port(port).clientId("isolation-sub"));
            sub.start();
            sub.subscribe("bench/button/state", 1, (topic, payload, qos, retained) -> {
                if (retained) {
                    return;
                }
                Long t0 = edges.poll();
                if (t0 != null) {
                    received.incrementAndGet();
                    latencies.add(System.nanoTime() - t0);
                } else {
                    out.incrementAndGet(); // the button's state at open, before any press
                }
            }).get(10, TimeUnit.SECONDS);
            converters.forEach(Thread::start);
            try (Gateway gateway = new Gateway(cfg)) {
                gateway.start();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!gateway.client().isConnected() || gateway.health("button") == null) {
                    if (System.nanoTime() > deadline) {
                        System.err.println("pigeon-sim: the gateway did not start");
                        return 1;
                    }
                    Thread.sleep(20);
                }
                Thread.sleep(2000); // the slow devices are now in their blocking reads
                MockDigitalInput button = platform.context().registry().get(Pi4jPlatform.ioId("button"));
                for (int i = 0; i < presses; i++) {
                    edges.add(System.nanoTime());
                    button.mockState(DigitalState.HIGH);
                    Thread.sleep(150);
                    edges.add(System.nanoTime());
                    button.mockState(DigitalState.LOW);
                    Thread.sleep(150);
                }
                Thread.sleep(1000);
                long probes = Arrays.stream(new String[] {"probe0", "probe1", "probe2", "probe3"})
                    .filter(p -> gateway.health(p) != null && gateway.health(p).online()).count();
                long[] ns = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
                System.out.printf("isolation: %d button edges, %d published, %d lost, while %d DS18B20 reads block "
                        + "%d ms each (%d of them online)%n", 2 * presses, received.get(), 2 * presses - ns.length,
                    SLOW_DEVICES, CONVERSION_MILLIS, probes);
                if (ns.length > 0) {
                    System.out.printf("edge -> publish received: p50 %.1f ms, p99 %.1f ms, max %.1f ms "
                            + "(debounce 5 ms included)%n", ms(ns, 0.50), ms(ns, 0.99), ns[ns.length - 1] / 1e6);
                }
            }
            sub.close();
        } finally {
            converters.forEach(Thread::interrupt);
        }
        return 0;
    }

    private static double ms(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
    }

    /** The kernel's side of w1_slave: each read gets its answer 750 ms after it opened the file. */
    private static void convert(Path fifo) {
        byte[] text = "72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n72 01 4b 46 7f ff 0e 10 57 t=23125\n"
            .getBytes(StandardCharsets.US_ASCII);
        while (!Thread.currentThread().isInterrupted()) {
            try {
                try (OutputStream o = Files.newOutputStream(fifo)) { // blocks until a reader opens it
                    Thread.sleep(CONVERSION_MILLIS);
                    o.write(text);
                }
                // Let the reader see the end of the file before the next writer opens the pipe.
                Thread.sleep(100);
            } catch (IOException e) {
                // the reader went away; next one
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the thread ends; whoever joins it may still ask
                return;
            }
        }
    }
}
