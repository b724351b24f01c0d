package io.pigeon.drivers.serial;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The one thread, {@code pigeon-serial-reader}, that reads every open serial port of the process.
 *
 * <p>Why not jssc's event listener: jssc 2.10.2 runs a thread per port that asks the port for events and
 * sleeps 0.1 ms between asks, about 10,000 wake-ups a second each. Twenty ports cost a quarter of a core
 * here, idle (more than a Pi Zero has to spare), and 20 thread stacks. This thread asks every port how many
 * bytes wait (FIONREAD, which never blocks) and reads exactly those, then sleeps {@value #PACE_MICROS} µs:
 * bytes wait at most that long in the kernel, a small part of what a serial line takes to carry them.
 *
 * <p>A port's read never waits for bytes that are not there, so a quiet or slow port delays no other. A
 * port whose read fails is handed back to its {@link SerialLink} as lost and leaves the set.
 *
 * <p>Threads: {@link #add} and {@link #remove} from any thread (the devices' opens and closes), under this
 * object's monitor; {@link #run} on the reader thread, which reads the set without a lock (an immutable
 * array, replaced on each change). The thread starts with the first port and ends when the last one is
 * removed.
 */
final class SerialReader implements Runnable {
    static final long PACE_MICROS = 1000;

    /** The process's reader: one thread for every port of every gateway in it. */
    static final SerialReader SHARED = new SerialReader();

    /** A port the reader reads: implemented by {@link SerialLink}. */
    interface Port {
        /** Reads what is waiting, if anything, and hands it on. Never waits for bytes. */
        void readWaiting();
    }

    private volatile Port[] ports = new Port[0];
    private boolean running;

    synchronized void add(Port port) {
        Port[] next = Arrays.copyOf(ports, ports.length + 1);
        next[ports.length] = port;
        ports = next;
        if (!running) {
            running = true;
            Thread t = new Thread(this, "pigeon-serial-reader");
            t.setDaemon(true);
            t.start();
        }
    }

    synchronized void remove(Port port) {
        Port[] now = ports;
        for (int i = 0; i < now.length; i++) {
            if (now[i] == port) {
                Port[] next = new Port[now.length - 1];
                System.arraycopy(now, 0, next, 0, i);
                System.arraycopy(now, i + 1, next, i, now.length - i - 1);
                ports = next;
                return;
            }
        }
    }

    /** How many ports are being read; for tests. */
    int size() {
        return ports.length;
    }

    @Override
    public void run() {
        while (true) {
            Port[] now = ports;
            if (now.length == 0 && stopIfEmpty()) {
                return;
            }
            for (Port port : now) {
                port.readWaiting();
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(PACE_MICROS));
        }
    }

    private synchronized boolean stopIfEmpty() {
        if (ports.length == 0) {
            running = false;
            return true;
        }
        return false;
    }
}
