package io.pigeon.drivers;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The end of a switch's timed pulse ({@code ON for 500 ms}): one at a time, cancelled by the next command and at
 * close. Thread: called under the owning driver's monitor; the end runs on the device's scheduler.
 */
public final class PulseTimer {
    private @Nullable ScheduledFuture<?> end;

    /** After the pulse's duration {@code back} runs, unless a later command or close cancels it first. */
    public void start(Command.Pulse pulse, DeviceContext ctx, Runnable back) {
        cancel();
        end = ctx.scheduler().schedule(back, pulse.duration().toMillis(), TimeUnit.MILLISECONDS);
    }

    public void cancel() {
        if (end != null) {
            end.cancel(false);
            end = null;
        }
    }
}
