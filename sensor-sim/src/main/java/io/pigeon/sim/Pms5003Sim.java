package io.pigeon.sim;

import io.pigeon.drivers.serial.Pms5003;
import java.io.IOException;
import java.nio.file.Path;

/** A PMS5003 particulate sensor: a 32-byte frame a second, with dust that follows the heater a little. */
public final class Pms5003Sim extends SerialSim {
    public Pms5003Sim(String name, Path link, World world) throws IOException {
        super(name, link, world);
    }

    @Override
    public String driver() {
        return "pms5003";
    }

    @Override
    public String configSnippet() {
        return "timeout: 10s\non_change: true\nheartbeat: 60s\n";
    }

    @Override
    protected byte[] frame() {
        int pm25 = (int) Math.max(0, 8 + world.noise(1.5) + (world.heaterOn() ? 4 : 0));
        return Pms5003.encode(Math.max(0, pm25 - 3), pm25, pm25 + 4);
    }
}
