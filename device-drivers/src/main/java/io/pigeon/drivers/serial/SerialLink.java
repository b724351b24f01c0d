package io.pigeon.drivers.serial;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import jssc.SerialPort;
import jssc.SerialPortException;
import org.jspecify.annotations.Nullable;
import org.tinylog.Logger;

/**
 * An open serial port through jssc: received bytes go to a sink from the process's one
 * {@link SerialReader} thread; a watchdog notices an unplugged adapter, which jssc does not report by
 * itself (the port stays "open" and merely quiet): every {@value #WATCH_MILLIS} ms it checks that the
 * device node still exists and that the driver still answers, and reports the loss once.
 */
public final class SerialLink implements AutoCloseable, SerialReader.Port {
    static final long WATCH_MILLIS = 500;

    /** Receives bytes; the array is only valid during the call. */
    public interface Sink {
        void bytes(byte[] data, int length);
    }

    private final SerialSettings settings;
    private final SerialPort port;
    private final Consumer<String> onLost;
    private final Sink sink;
    private @Nullable ScheduledFuture<?> watchdog;
    private volatile boolean closed;

    private SerialLink(SerialSettings settings, Sink sink, Consumer<String> onLost) {
        this.settings = settings;
        this.port = new SerialPort(settings.port());
        this.sink = sink;
        this.onLost = onLost;
    }

    /** Opens the port; {@code onLost} is called (once) when it disappears or fails. */
    public static SerialLink open(SerialSettings settings, Sink sink, Consumer<String> onLost,
                                  ScheduledExecutorService scheduler) throws SerialPortException {
        SerialLink link = new SerialLink(settings, sink, onLost);
        link.start(scheduler);
        return link;
    }

    private void start(ScheduledExecutorService scheduler) throws SerialPortException {
        if (!Files.exists(Path.of(settings.port()))) {
            throw new SerialPortException(port, "openPort", "Port not found");
        }
        port.openPort();
        try {
            // On a pseudo-terminal this returns false although speed and format were applied: only the
            // RTS/DTR ioctls fail there. On a real adapter false means what it says.
            if (!port.setParams(settings.baud(), settings.dataBits(), settings.stopBits(), settings.parity())) {
                Logger.debug("serial port {}: setParams reported false (normal on a pseudo-terminal)", settings.port());
            }
        } catch (SerialPortException | RuntimeException e) {
            closeQuietly();
            throw e;
        }
        SerialReader.SHARED.add(this);
        watchdog = scheduler.scheduleWithFixedDelay(this::watch, WATCH_MILLIS, WATCH_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** On the reader thread: reads the bytes the port already holds, never more, so it never waits. */
    @Override
    public void readWaiting() {
        if (closed) {
            return;
        }
        try {
            int waiting = port.getInputBufferBytesCount();
            if (waiting <= 0) {
                return;
            }
            byte[] data = port.readBytes(waiting);
            if (data != null && data.length > 0 && !closed) {
                sink.bytes(data, data.length);
            }
        } catch (SerialPortException e) {
            lost(failed("read failed: " + e.getExceptionType()));
        } catch (RuntimeException e) {
            // jssc's IllegalArgumentException or IOException-as-runtime on a port closed under it, or a sink's bug:
            // this port is done, the reader and the other ports go on.
            lost(failed("read failed: " + e));
        }
    }

    /** On the device's thread, every {@value #WATCH_MILLIS} ms; a throw here would end the periodic task. */
    private void watch() {
        if (closed) {
            return;
        }
        try {
            if (!Files.exists(Path.of(settings.port()))) {
                lost("port " + settings.port() + " disappeared");
                return;
            }
            port.getInputBufferBytesCount();
        } catch (SerialPortException | RuntimeException e) {
            lost("port " + settings.port() + " failed: " + (e instanceof SerialPortException s ? s.getExceptionType() : e));
        }
    }

    /** Why a read failed: an unplugged adapter says so, as the watchdog would, rather than how its last read ended. */
    private String failed(String how) {
        return "port " + settings.port() + (Files.exists(Path.of(settings.port())) ? " " + how : " disappeared");
    }

    private synchronized void lost(String reason) {
        if (!closed) {
            closed = true;
            SerialReader.SHARED.remove(this);
            onLost.accept(reason);
        }
    }

    public void write(byte[] data) throws SerialPortException {
        if (!port.writeBytes(data)) {
            throw new SerialPortException(port, "writeBytes", "write failed");
        }
    }

    @Override
    public void close() {
        closed = true;
        SerialReader.SHARED.remove(this);
        if (watchdog != null) {
            watchdog.cancel(false);
        }
        closeQuietly();
    }

    private void closeQuietly() {
        try {
            if (port.isOpened()) {
                port.closePort();
            }
        } catch (SerialPortException | RuntimeException e) {
            // the port is gone already
        }
    }
}
