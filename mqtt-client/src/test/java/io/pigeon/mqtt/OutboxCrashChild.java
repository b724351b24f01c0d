package io.pigeon.mqtt;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Run in a child JVM by {@link OutboxCrashTest}: publishes numbered messages (QoS 1 unless a fifth argument
 * says otherwise; a sixth, "persistent", asks for a session the broker keeps) through a file outbox and prints
 * "A n" once publish has accepted message n, until it is killed. A seventh, "no-wait", publishes without
 * waiting for the broker.
 */
public final class OutboxCrashChild {
    private OutboxCrashChild() {
    }

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        Path dir = Path.of(args[2]);
        int count = Integer.parseInt(args[3]);
        int qos = args.length > 4 ? Integer.parseInt(args[4]) : 1;
        boolean persistent = args.length > 5 && args[5].equals("persistent");
        boolean waitForBroker = !(args.length > 6 && args[6].equals("no-wait"));
        FileOutbox outbox = new FileOutbox(dir, 16 << 20, 100_000, FileOutbox.Fsync.interval(1000));
        MqttClient client = new MqttClient(MqttOptions.builder().host(host).port(port).clientId("crash-child")
            .cleanSession(!persistent).maxBuffered(100_000, 16 << 20), outbox);
        if (waitForBroker) {
            client.connect(Duration.ofSeconds(10));
        } else {
            client.start();
        }
        Topic topic = Topic.of("crash/x");
        for (int i = 0; i < count; i++) {
            byte[] p = Integer.toString(i).getBytes(StandardCharsets.US_ASCII);
            if (client.publish(topic, p, 0, p.length, qos, false)) {
                System.out.println("A " + i);
                System.out.flush();
            }
            if (i % 20 == 0) {
                Thread.sleep(1);
            }
        }
        System.out.println("DONE");
        System.out.flush();
        Thread.sleep(60_000);
    }
}
