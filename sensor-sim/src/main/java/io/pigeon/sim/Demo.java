package io.pigeon.sim;

import io.pigeon.broker.EmbeddedBroker;
import io.pigeon.drivers.Pi4jPlatform;
import io.pigeon.drivers.sim.SimulatedI2cProvider;
import io.pigeon.drivers.sim.SimulatedSpiProvider;
import io.pigeon.gateway.bridge.Gateway;
import io.pigeon.gateway.config.ConfigException;
import io.pigeon.gateway.config.ConfigLoader;
import io.pigeon.gateway.config.GatewayConfig;
import io.pigeon.mqtt.MqttClient;
import io.pigeon.mqtt.MqttOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.tinylog.Logger;

/**
 * {@code pigeon-sim demo}: an embedded broker, the simulated hardware and the real gateway in one process,
 * with a live view of what the gateway publishes, read back from the broker by an ordinary MQTT client.
 */
public final class Demo implements AutoCloseable {
    static final String ROOT = "pigeon/demo";
    private static final Pattern FAULT = Pattern.compile(
        "\"(device|fault|for)\"\\s*:\\s*\"([^\"]*)\"");

    private final EmbeddedBroker broker;
    private final Pi4jPlatform platform = Pi4jPlatform.simulated(new SimulatedI2cProvider(), new SimulatedSpiProvider());
    private final Simulation simulation;
    private final Gateway gateway;
    private final MqttClient viewer;
    private final CompletableFuture<Integer> viewing;
    private final String host;
    private final int port;
    private final LiveView view = new LiveView(ROOT, System::nanoTime);

    private final int webPort;

    /** A demo without the status page. */
    public Demo(String brokerHostPort, int embeddedPort, String scenario) throws IOException, ConfigException {
        this(brokerHostPort, embeddedPort, scenario, -1);
    }

    /**
     * @param webPort the status page's port on localhost: -1 for none, 0 for any free one
     */
    @SuppressWarnings("FutureReturnValueIgnored") // the viewer's own subscriptions: the client logs a refusal
    public Demo(String brokerHostPort, int embeddedPort, String scenario, int webPort)
        throws IOException, ConfigException {
        this.webPort = webPort;
        EmbeddedBroker b = null;
        if (brokerHostPort == null) {
            b = new EmbeddedBroker(embeddedPort);
            host = "localhost";
            port = b.port();
        } else {
            int colon = brokerHostPort.lastIndexOf(':');
            host = colon < 0 ? brokerHostPort : brokerHostPort.substring(0, colon);
            port = colon < 0 ? 1883 : Integer.parseInt(brokerHostPort.substring(colon + 1));
        }
        broker = b;
        simulation = Simulation.fromScenario(scenario, platform);
        String yaml = resource("/demo-gateway.yaml")
            .replace("${host}", host).replace("${port}", String.valueOf(port))
            .replace("${onewire}", simulation.oneWireDir().toString())
            .replace("${sysfs}", simulation.sysfsRoot().toString())
            .replace("${serial}", simulation.serialConfig().stripTrailing())
            .replace("${web}", webPort < 0 ? "" : "web: {listen: \"127.0.0.1:" + webPort + "\"}");
        Path config = simulation.dir().resolve("demo-gateway.yaml");
        Files.writeString(config, yaml);
        GatewayConfig cfg = new ConfigLoader(Map.of(), platform).load(config);
        gateway = new Gateway(cfg);
        viewer = new MqttClient(MqttOptions.builder().host(host).port(port).clientId("pigeon-sim-view")
            .backoff(Duration.ofMillis(200), Duration.ofSeconds(2)));
        viewing = viewer.subscribe(ROOT + "/#", 0, (topic, payload, qos, retained) -> {
            view.message(topic, new String(payload, StandardCharsets.UTF_8));
        });
        // The units come with Home Assistant's discovery configs, as any MQTT user could read them.
        viewer.subscribe("homeassistant/+/pigeon-demo/+/config", 0, (topic, payload, qos, retained) ->
            view.message(topic, new String(payload, StandardCharsets.UTF_8)));
        viewer.subscribe(ROOT + "/sim/fault", 1, (topic, payload, qos, retained) -> fault(new String(payload, StandardCharsets.UTF_8)));
    }

    static String resource(String name) throws IOException {
        try (InputStream in = Demo.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("resource " + name + " missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    public Simulation simulation() {
        return simulation;
    }

    public Gateway gateway() {
        return gateway;
    }

    public void start() {
        // The view subscribes first: a door's first state is not retained, and would be missed.
        viewer.start();
        try {
            viewing.get(2, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            Logger.warn("the live view is not subscribed yet; it starts with the next readings");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        simulation.start();
        gateway.start();
    }

    /** {"device":"gps","fault":"unplug","for":"10s"} from the fault topic. */
    private void fault(String json) {
        Map<String, String> f = new TreeMap<>();
        Matcher m = FAULT.matcher(json);
        while (m.find()) {
            f.put(m.group(1), m.group(2));
        }
        try {
            if (f.get("device") == null || f.get("fault") == null) {
                throw new IllegalArgumentException("a fault needs \"device\" and \"fault\", e.g. "
                    + "{\"device\":\"gps\",\"fault\":\"unplug\",\"for\":\"10s\"}");
            }
            Duration d = f.get("for") == null ? null : io.pigeon.drivers.Settings.parseDuration(f.get("for"));
            simulation.fault(f.get("device"), f.get("fault"), d);
        } catch (IllegalArgumentException | IOException e) {
            Logger.warn("sim: fault refused: {}", e.getMessage());
            viewer.publish(ROOT + "/sim/error", e.getMessage().getBytes(StandardCharsets.UTF_8), 0, false);
        }
    }

    /** The status page's address, or null when it is off (or its port was taken). */
    public @Nullable String pageUrl() {
        java.net.InetSocketAddress a = gateway.webAddress();
        return a == null ? null : "http://localhost:" + a.getPort() + "/";
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    String intro() {
        String page = pageUrl() != null ? "  page:    " + pageUrl() + "   (the status page: open it in a browser)\n"
            : webPort >= 0 ? "  page:    not served: port " + webPort + " is taken (try --web-port N)\n" : "";
        return page + """
            Pigeon demo: simulated sensors -> the Pigeon gateway -> MQTT broker %s:%d%s
              watch:   mosquitto_sub -h %s -p %d -t 'pigeon/#' -v
              heat:    mosquitto_pub -h %s -p %d -t %s/heater/set -m ON     (the room warms up)
              fan:     mosquitto_pub -h %s -p %d -t %s/fan/set -m 80        (and cools down)
              fault:   mosquitto_pub -h %s -p %d -t %s/sim/fault -m '{"device":"gps","fault":"unplug","for":"10s"}'
              stop:    Ctrl-C
            """.formatted(host, port, broker != null ? " (embedded)" : "", host, port, host, port, ROOT, host, port,
            ROOT, host, port, ROOT);
    }

    /** The live view (see {@link LiveView}). */
    String view() {
        return view.render(false);
    }

    /** Prints the view every second, redrawn in place on a terminal, until interrupted or the duration ends. */
    void runView(PrintStream out, Duration duration, boolean inPlace) throws InterruptedException {
        out.print(intro());
        out.println();
        long end = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
        int n = 0;
        while (System.nanoTime() < end) {
            Thread.sleep(1000);
            if (inPlace) {
                out.print("\033[H\033[2J" + intro() + "\n" + view.render(true));
                out.flush();
            } else if (++n % 10 == 0) {
                out.print(view());
                out.flush();
            }
        }
    }

    @Override
    public void close() {
        gateway.close();
        viewer.close();
        simulation.close();
        platform.close();
        if (broker != null) {
            broker.close();
        }
    }
}
