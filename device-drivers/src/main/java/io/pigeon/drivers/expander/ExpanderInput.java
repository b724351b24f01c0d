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
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * A {@code gpio-in} pin on an I2C expander: polled every {@code interval}, published at the first poll and on every
 * change that has held for {@code debounce} (over as many polls as that takes). When the chip's INT output is wired
 * ({@code interrupt} in the expander section), each interrupt also reads the pin at once, and a change still
 * settling is read again when its debounce is over: the polls then only catch what an interrupt missed. Those
 * extra reads run on the device's own thread, like its polls, so a slow bus delays no other device.
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
    /** Set while the chip's interrupts are listened to: the context their reads report to. */
    private volatile @Nullable DeviceContext interrupts;
    /** Whether a read for an interrupt, or a debounce recheck, waits on the device thread: one of each at most. */
    private final AtomicBoolean readPending = new AtomicBoolean();
    private final AtomicBoolean rechecking = new AtomicBoolean();

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
            if (chip.interrupts()) {
                chip.interruptOnChange(i2c, pin);
                interrupts = ctx;
                chip.listen(this, platform);
            }
        } catch (RuntimeException | DeviceException e) {
            close();
            throw new DeviceException(chip.chip() + " at 0x" + Integer.toHexString(chip.address) + ": " + e.getMessage(), e);
        }
    }

    /** On Pi4J's callback thread: hands the read to the device's own thread, once however often the line falls. */
    void interrupted() {
        DeviceContext ctx = interrupts;
        if (ctx != null && readPending.compareAndSet(false, true)) {
            run(ctx, readPending, 0);
        }
    }

    private void run(DeviceContext ctx, AtomicBoolean flag, long delayNanos) {
        try {
            var unused = ctx.scheduler().schedule(() -> {
                flag.set(false);
                if (i2c != null) {
                    try {
                        poll(ctx);
                    } catch (DeviceException e) {
                        // the next scheduled poll reads again, and reports it if it fails too
                    }
                }
            }, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            flag.set(false); // stopping
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
            if (interrupts != null && rechecking.compareAndSet(false, true)) {
                run(ctx, rechecking, debounceNanos - (now - candidateSince)); // no edge may come once it settles
            }
        }
    }

    private void publish(DeviceContext ctx, boolean level) {
        published = level;
        candidate = null;
        ctx.reading(reading, Value.bool(level));
    }

    @Override
    public void close() {
        if (interrupts != null) {
            interrupts = null;
            chip.unlisten(this, platform);
        }
        if (i2c != null) {
            i2c = null;
            platform.release(name);
        }
    }
}
