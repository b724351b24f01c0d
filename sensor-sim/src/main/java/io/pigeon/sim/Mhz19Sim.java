package io.pigeon.sim;

import io.pigeon.drivers.serial.Mhz19;
import io.pigeon.drivers.sim.Pty;
import java.io.IOException;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * An MH-Z19B CO2 sensor: answers each read command ({@code FF 01 86 ...}) with the concentration, which rises while
 * the heater runs (people in a warm room) and falls back towards 420 ppm; the self-calibration command is taken
 * silently. It sends nothing unasked.
 */
public final class Mhz19Sim extends SerialSim {
    private final Thread server;
    private volatile double ppm = 600;

    public Mhz19Sim(String name, Path link, World world) throws IOException {
        super(name, link, world);
        server = answering(this::received);
    }

    @Override
    public String driver() {
        return "mhz19";
    }

    @Override
    public String configSnippet() {
        return "interval: 5s\nself_calibration: false\n";
    }

    @Override
    public void tick() {
        ppm = Math.max(420, ppm + (world.heaterOn() ? 8 : -3) + world.noise(2));
        super.tick();
    }

    @Override
    protected byte @Nullable [] frame() {
        return null; // it only answers
    }

    private final byte[] request = new byte[9];
    private int have; // confined to the answering thread

    private void received(@Nullable Pty p, byte[] buf, int n) {
        for (int i = 0; p != null && i < n; i++) {
            if (have == 0 && buf[i] != (byte) 0xFF) {
                continue;
            }
            request[have++] = buf[i];
            if (have == 9) {
                have = 0;
                if (request[2] == (byte) 0x86 && Mhz19.checksum(request) == (request[8] & 0xFF)) {
                    p.write(Mhz19.answer((int) Math.round(ppm)));
                }
            }
        }
    }

    @Override
    public void close() {
        server.interrupt();
        super.close();
    }
}
