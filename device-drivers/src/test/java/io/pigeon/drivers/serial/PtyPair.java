package io.pigeon.drivers.serial;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import jssc.SerialPort;
import jssc.SerialPortException;

/**
 * A linked pair of pseudo-terminals made by socat: the driver opens {@link #device()}, the test plays the
 * sensor at {@link #sensor()}. {@link #unplug()} stops socat (SIGTERM removes the links), as pulling a
 * USB adapter does; {@link #plugIn()} makes the pair again under the same names.
 */
public final class PtyPair implements AutoCloseable {
    private final Path dir;
    private final Path device;
    private final Path sensor;
    private Process socat;
    private SerialPort sensorPort;

    public PtyPair() throws IOException {
        String binary = socat();
        if (binary == null) {
            if (Boolean.getBoolean("pigeon.ci")) {
                throw new IllegalStateException("socat is required in CI (apt-get install -y socat)");
            }
            assumeTrue(false, "socat is not installed: serial tests on real pseudo-terminals are skipped");
        }
        dir = Files.createTempDirectory("pigeon-pty");
        device = dir.resolve("ttyDEVICE");
        sensor = dir.resolve("ttySENSOR");
        plugIn();
    }

    static String socat() {
        for (String p : new String[] {"/usr/bin/socat", "/usr/local/bin/socat", "/opt/homebrew/bin/socat"}) {
            if (Files.isExecutable(Path.of(p))) {
                return p;
            }
        }
        return null;
    }

    public String device() {
        return device.toString();
    }

    public String sensor() {
        return sensor.toString();
    }

    public void plugIn() throws IOException {
        socat = new ProcessBuilder(socat(), "pty,raw,echo=0,link=" + device, "pty,raw,echo=0,link=" + sensor)
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!(Files.exists(device) && Files.exists(sensor))) {
            if (System.nanoTime() > deadline) {
                throw new IOException("socat did not create the pty links");
            }
            sleep(10);
        }
        sensorPort = new SerialPort(sensor.toString());
        try {
            sensorPort.openPort();
            sensorPort.setParams(9600, 8, 1, 0);
        } catch (SerialPortException e) {
            throw new IOException(e);
        }
    }

    public void unplug() throws InterruptedException {
        closeSensor();
        socat.destroy();
        socat.waitFor(5, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (Files.exists(device) && System.nanoTime() < deadline) {
            sleep(10);
        }
    }

    /** Writes bytes as the sensor would. */
    public void write(byte[] data) throws SerialPortException {
        sensorPort.writeBytes(data);
    }

    public void write(String text) throws SerialPortException {
        write(text.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    /** Reads exactly {@code n} bytes sent by the driver, or fails after the timeout. */
    public byte[] read(int n, int timeoutMillis) throws Exception {
        return sensorPort.readBytes(n, timeoutMillis);
    }

    private void closeSensor() {
        try {
            if (sensorPort != null && sensorPort.isOpened()) {
                sensorPort.closePort();
            }
        } catch (SerialPortException e) {
            // gone already
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (socat != null && socat.isAlive()) {
            try {
                unplug();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
