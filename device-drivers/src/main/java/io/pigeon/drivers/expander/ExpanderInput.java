package io.pigeon.drivers.expander;

import com.pi4j.io.i2c.I2C;
import io.pigeon.drivers.Device;
import io.pigeon.drivers.DeviceContext;
import io.pigeon.drivers.DeviceException;
import io.pigeon.drivers.DeviceKind;
import io.pigeon.drivers.NamedDevice;
import io.pigeon.drivers.Pi4jPlatform;
import io.pigeon.drivers.Settings;
import io.pigeon.drivers.Value;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A {@code gpio-in} pin on an I2C expander: polled every {@code interval} (an expander's interrupt line is not
 * wired here), published at the first poll and on every change that has held for {@code debounce} (over as many
 * polls as that takes).
 */
public final class ExpanderInput extends NamedDevice implements Device.Polled {
    private final Pi4jPlatform platform;
    private final Expander chip;
    private final int pin;
    private final boolean pullUp;
    private final boolean activeLow;
    private final long debounceNanos;
    private final String reading;
    private @Nullable I2C i2c;
    private @Nullable Boolean published;
    private @Nullable Boolean candidate;
    private long candidateSince;

    public ExpanderInput(Settings s, Pi4jPlatform platform) {
        super(s, DeviceKind.SENSOR);
        this.platform = platform;
        Settings section = s.section("expander");
        this.chip = Expander.of(section, platform);
        this.pin = chip.pin(s);
        String pull = s.choice("pull", "up", "up", "none", "down");
        if (pull.equals("down")) {
            throw Expander.noPullDown(s);
        }
        this.pullUp = pull.equals("up");
        this.activeLow = s.bool("active_low", false);
        this.debounceNanos = s.duration("debounce", Duration.ZERO).toNanos();
        this.reading = s.string("reading", "state");
    }

    @Override
    public java.util.List<String> declaredReadings() {
        return java.util.List.of(reading);
    }

    @Override
    public void open(DeviceContext ctx) throws DeviceException {
        published = null;
        candidate = null;
        try {
            i2c = platform.i2c(name, chip.bus, chip.address);
            chip.input(i2c, pin, pullUp);
        } catch (RuntimeException e) {
            close();
            throw new DeviceException(chip.chip() + " at 0x" + Integer.toHexString(chip.address) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void poll(DeviceContext ctx) throws DeviceException {
        boolean level;
        try {
            level = chip.read(i2c, pin) != activeLow;
        } catch (RuntimeException e) {
            throw new DeviceException("I2C read failed: " + e.getMessage(), e);
        }
        long now = System.nanoTime();
        if (published == null) {
            publish(ctx, level);
            return;
        }
        if (level == published) {
            candidate = null;
            return;
        }
        if (candidate == null || candidate != level) {
            candidate = level;
            candidateSince = now;
        }
        if (now - candidateSince >= debounceNanos) {
            publish(ctx, level);
        } else {
            ctx.count("bounces");
        }
    }

    private void publish(DeviceContext ctx, boolean level) {
        published = level;
        candidate = null;
        ctx.reading(reading, Value.bool(level));
    }

    @Override
    public void close() {
        if (i2c != null) {
            i2c = null;
            platform.release(name);
        }
    }
}
