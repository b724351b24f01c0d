package io.pigeon.sim;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/** A climate sensor printing {@code temperature=21.50 humidity=40.2} lines (driver serial-line, parse kv). */
public final class LineSensorSim extends SerialSim {
    public LineSensorSim(String name, Path link, World world) throws IOException {
        super(name, link, world);
    }

    @Override
    public String driver() {
        return "serial-line";
    }

    @Override
    public String configSnippet() {
        return "parse: kv\nunits: [\"temperature=°C\", \"humidity=%\"]\ntimeout: 10s\n";
    }

    @Override
    protected byte[] frame() {
        return ascii(String.format(Locale.ROOT, "temperature=%.2f humidity=%.1f\r\n",
            world.temperature() + world.noise(0.02), world.humidity()));
    }

    @Override
    protected byte[] corrupt(byte[] frame) {
        return ascii("t#mperature=?? h%%\r\n");
    }
}
