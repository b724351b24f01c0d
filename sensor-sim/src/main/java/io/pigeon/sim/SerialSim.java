package io.pigeon.sim;

import io.pigeon.drivers.sim.Pty;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.tinylog.Logger;

/**
 * A simulated serial device on its own pseudo-terminal: every tick it writes what the real device would,
 * unless a fault says otherwise. Faults: {@code unplug} (pty closed and link removed, replugged after the
 * duration), {@code garbage} (random bytes), {@code partial} (frames cut short), {@code checksum}
 * (frames with a wrong checksum), {@code stall} (silence).
 */
public abstract class SerialSim implements AutoCloseable {
    private final String name;
    private final Path link;
    protected final World world;
    private volatile @Nullable Pty pty;
    private volatile @Nullable String fault;
    private volatile long faultUntil;

    protected SerialSim(String name, Path link, World world) throws IOException {
        this.name = name;
        this.link = link;
        this.world = world;
        this.pty = Pty.open(link);
    }

    public String name() {
        return name;
    }

    public Path link() {
        return link;
    }

    public abstract String driver();

    /** Extra config lines a gateway needs for this device (after name, driver, port). */
    public String configSnippet() {
        return "";
    }

    /** Called about once a second: writes the device's output. */
    public void tick() {
        expireFault();
        Pty p = pty;
        if (p == null || "stall".equals(fault)) {
            return;
        }
        if ("garbage".equals(fault)) {
            byte[] junk = new byte[16];
            for (int i = 0; i < junk.length; i++) {
                junk[i] = (byte) (world.uniform() * 256);
            }
            p.write(junk);
        }
        byte[] frame = frame();
        if (frame == null) {
            return;
        }
        if ("partial".equals(fault)) {
            frame = java.util.Arrays.copyOf(frame, Math.max(1, frame.length / 2));
        } else if ("checksum".equals(fault)) {
            frame = corrupt(frame);
        }
        p.write(frame);
    }

    /** The next frame or line the device sends, or null for none this tick. */
    protected abstract byte[] frame();

    /** The frame with a wrong checksum (the default flips a bit in the middle). */
    protected byte[] corrupt(byte[] frame) {
        byte[] c = frame.clone();
        c[c.length / 2] ^= 0x01;
        return c;
    }

    protected Pty pty() {
        return pty;
    }

    /** What a device that answers does with what the gateway sends. Thread: its own answering thread. */
    protected interface Answerer {
        /**
         * {@code n} bytes from the gateway in {@code buf}; {@code n == 0} after 200 ms of silence or while unplugged,
         * which ends a frame on a serial line. Answers go to {@code pty} (null while unplugged).
         */
        void received(@Nullable Pty pty, byte[] buf, int n);
    }

    /** Starts the thread ({@code sim-<name>}) that reads what the gateway sends and hands it to {@code answerer}. */
    protected final Thread answering(Answerer answerer) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[256];
            while (!Thread.currentThread().isInterrupted()) {
                Pty p = pty();
                if (p == null || !p.isOpen()) {
                    answerer.received(null, buf, 0);
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    continue;
                }
                answerer.received(p, buf, Math.max(0, p.read(buf, 200)));
            }
        }, "sim-" + name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    protected static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Applies a fault for a while ({@code null} duration: until cleared). */
    public synchronized void fault(String kind, Duration duration) throws IOException {
        switch (kind) {
            case "unplug" -> {
                Pty p = pty;
                pty = null;
                if (p != null) {
                    p.close();
                }
            }
            case "replug", "clear" -> {
                clear();
                return;
            }
            case "garbage", "partial", "checksum", "stall" -> {
            }
            default -> throw new IllegalArgumentException("device '" + name + "' has no fault '" + kind
                + "' (unplug, replug, garbage, partial, checksum, stall)");
        }
        Logger.info("sim: {} -> {}{}", name, kind, duration == null ? "" : " for " + duration.toSeconds() + " s");
        fault = kind;
        faultUntil = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
    }

    private synchronized void expireFault() {
        if (fault != null && System.nanoTime() >= faultUntil) {
            try {
                clear();
            } catch (IOException e) {
                Logger.warn("sim: {} could not be replugged: {}", name, e.getMessage());
            }
        }
    }

    private void clear() throws IOException {
        if (fault != null) {
            Logger.info("sim: {} back to normal", name);
        }
        fault = null;
        if (pty == null) {
            pty = Pty.open(link);
        }
    }

    public String fault() {
        return fault;
    }

    @Override
    public void close() {
        Pty p = pty;
        pty = null;
        if (p != null) {
            p.close();
        }
    }
}
