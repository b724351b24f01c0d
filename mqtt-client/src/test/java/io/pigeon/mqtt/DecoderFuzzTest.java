package io.pigeon.mqtt;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Feeds the frame reader and decoder random and mutated packets (seeded: a failure repeats) and checks they
 * only ever decode or report a protocol error: no other exception, no hang, no oversized allocation.
 */
class DecoderFuzzTest {
    private static final long SEED = 0x5EED_1A2BL;
    private static final int CASES = 300_000;
    private static final int MAX_PACKET = 4096;

    @Test
    void randomAndMutatedInputOnlyEverYieldsPacketsOrProtocolErrors() {
        List<byte[]> seeds = validPackets();
        SplittableRandom random = new SplittableRandom(SEED);
        Packet packet = new Packet();
        int decoded = 0;
        int rejected = 0;
        for (int i = 0; i < CASES; i++) {
            byte[] input = i % 4 == 0 ? randomBytes(random) : mutate(seeds.get(random.nextInt(seeds.size())), random);
            FrameReader reader = new FrameReader(new MqttDecoder(MAX_PACKET), MAX_PACKET, 16);
            ByteArrayInputStream in = new ByteArrayInputStream(input);
            try {
                for (int n = 0; n < 64; n++) {
                    reader.read(in, packet);
                    decoded++;
                }
            } catch (MqttProtocolException e) {
                rejected++;
            } catch (EOFException e) {
                // clean end of input between packets
            } catch (IOException | RuntimeException e) {
                fail("case " + i + " input " + Bytes.hex(input, 0, input.length) + " threw " + e, e);
            }
        }
        assertTrue(decoded > 10_000, "the mutations should still produce many valid packets: " + decoded);
        assertTrue(rejected > 10_000, "and many rejections: " + rejected);
    }

    private static byte[] randomBytes(SplittableRandom r) {
        byte[] b = new byte[r.nextInt(64)];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) r.nextInt(256);
        }
        return b;
    }

    private static byte[] mutate(byte[] seed, SplittableRandom r) {
        byte[] b = seed.clone();
        switch (r.nextInt(5)) {
            case 0 -> b[r.nextInt(b.length)] = (byte) r.nextInt(256);
            case 1 -> b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
            case 2 -> b = Arrays.copyOf(b, r.nextInt(b.length + 1));
            case 3 -> {
                byte[] tail = randomBytes(r);
                byte[] c = Arrays.copyOf(b, b.length + tail.length);
                System.arraycopy(tail, 0, c, b.length, tail.length);
                b = c;
            }
            default -> {
                for (int k = 0; k < 3; k++) {
                    b[r.nextInt(b.length)] = (byte) r.nextInt(256);
                }
            }
        }
        return b;
    }

    private static List<byte[]> validPackets() {
        MqttEncoder e = new MqttEncoder(64);
        List<byte[]> out = new ArrayList<>();
        Runnable add = () -> out.add(Arrays.copyOf(e.array(), e.length()));
        e.reset().connect(Bytes.ascii("fuzz"), true, 30, Bytes.ascii("w/t"), Bytes.ascii("bye"), 1, true,
            Bytes.ascii("user"), Bytes.ascii("pw"));
        add.run();
        e.reset().connack(false, 0);
        add.run();
        e.reset().publish(Bytes.ascii("a/b/c"), 5, Bytes.ascii("21.5"), 0, 4, 1, false, false, 7);
        add.run();
        e.reset().publish(Bytes.ascii("\u00e9t\u00e9"), 5, Bytes.ascii("x"), 0, 1, 2, true, true, 65_535);
        add.run();
        e.reset().publish(Bytes.ascii("t"), 1, new byte[300], 0, 300, 0, false, false, 0);
        add.run();
        for (int type : new int[] {PacketType.PUBACK, PacketType.PUBREC, PacketType.PUBREL, PacketType.PUBCOMP,
            PacketType.UNSUBACK}) {
            e.reset().ack(type, 300);
            add.run();
        }
        e.reset().subscribe(1, new byte[][] {Bytes.ascii("a/+/c"), Bytes.ascii("#")}, new int[] {1, 0}, 2);
        add.run();
        e.reset().suback(1, new int[] {1, 0x80}, 2);
        add.run();
        e.reset().unsubscribe(2, new byte[][] {Bytes.ascii("a/+/c")}, 1);
        add.run();
        e.reset().pingreq();
        add.run();
        e.reset().pingresp();
        add.run();
        e.reset().disconnect();
        add.run();
        return out;
    }
}
