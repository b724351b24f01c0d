package io.pigeon.testing;

import io.pigeon.mqtt.MessageHandler;
import io.pigeon.mqtt.MqttClient;
import io.pigeon.mqtt.MqttOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/** Collects received messages for assertions. */
public final class Collector implements MessageHandler {
    public record Message(String topic, String payload, int qos, boolean retained) {
    }

    private final LinkedBlockingQueue<Message> queue = new LinkedBlockingQueue<>();

    /** What a fresh client (closed by the closer) receives on {@code filter} at QoS 1, once connected. */
    public static Collector watch(TestBroker broker, Closer closer, String filter) throws Exception {
        return watchAs(broker, closer, filter, null, null);
    }

    /** As {@link #watch}, logged in as {@code username} (none when null). */
    public static Collector watchAs(TestBroker broker, Closer closer, String filter, @Nullable String username, @Nullable String password)
        throws Exception {
        Collector got = new Collector();
        MqttOptions.Builder options = MqttOptions.builder().host(broker.host()).port(broker.port())
            .clientId("watch-" + System.nanoTime()).backoff(Duration.ofMillis(50), Duration.ofMillis(300));
        if (username != null) {
            options.credentials(username, password.getBytes(StandardCharsets.UTF_8));
        }
        MqttClient c = closer.track(new MqttClient(options));
        var subscribed = c.subscribe(filter, 1, got);
        c.connect(Duration.ofSeconds(10));
        subscribed.get(10, TimeUnit.SECONDS); // what is published from now on arrives
        return got;
    }

    @Override
    public void onMessage(String topic, byte[] payload, int qos, boolean retained) {
        queue.add(new Message(topic, new String(payload, StandardCharsets.UTF_8), qos, retained));
    }

    /** The next message, or an AssertionError after the timeout. */
    public Message next(Duration timeout) throws InterruptedException {
        Message m = queue.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (m == null) {
            throw new AssertionError("no message within " + timeout);
        }
        return m;
    }

    /** The next message, or null if none arrives within the timeout. */
    public Message poll(Duration timeout) throws InterruptedException {
        return queue.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Collects until {@code count} messages have arrived or the timeout passes. */
    public List<Message> take(int count, Duration timeout) throws InterruptedException {
        List<Message> out = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (out.size() < count) {
            long left = deadline - System.nanoTime();
            Message m = queue.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
            if (m == null) {
                break;
            }
            out.add(m);
        }
        return out;
    }

    public int size() {
        return queue.size();
    }
}
