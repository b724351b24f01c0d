package io.pigeon.sim;

import io.pigeon.drivers.serial.Sds011;
import java.io.IOException;
import java.nio.file.Path;

/** An SDS011 particulate sensor in active mode: a 10-byte frame a second, dust rising a little with the heater. */
public final class Sds011Sim extends SerialSim {
    public Sds011Sim(String name, Path link, World world) throws IOException {
        super(name, link, world);
    }

    @Override
    public String driver() {
        return "sds011";
    }

    @Override
    public String configSnippet() {
        return "timeout: 10s\n";
    }

    @Override
    protected byte[] frame() {
        double pm25 = Math.max(0, 6 + world.noise(1.2) + (world.heaterOn() ? 3 : 0));
        return Sds011.encode(pm25, pm25 * 1.6);
    }
}
