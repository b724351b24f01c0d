package io.pigeon.drivers.sim;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * A pseudo-terminal made with libc's {@code openpty} (through JNA: no external tool), in raw mode: the one pty of
 * the tests and the simulator. The simulator or the test plays the device at the master end; the driver opens
 * the slave end through jssc, by a stable symbolic link ({@link #device()}), as it would open
 * {@code /dev/ttyUSB0}. {@link #unplug} removes the link and closes both ends, as pulling a USB adapter does;
 * {@link #plugIn} makes a new one under the same name.
 */
public final class Pty implements AutoCloseable {
    interface LibC extends Library {
        int openpty(int[] master, int[] slave, byte[] name, @Nullable Pointer termios, @Nullable Pointer winsize);

        int tcgetattr(int fd, Pointer termios);

        void cfmakeraw(Pointer termios);

        int tcsetattr(int fd, int action, Pointer termios);

        int write(int fd, byte[] buf, int count);

        int read(int fd, byte[] buf, int count);

        int poll(Pointer fds, int nfds, int timeout);

        int close(int fd);
    }

    private static final LibC C = load();

    /** Fewer bytes than asked for arrived in time. */
    public static final class ReadTimeout extends IOException {
        private static final long serialVersionUID = 1L;

        ReadTimeout(String message) {
            super(message);
        }
    }

    private static LibC load() {
        try {
            return Native.load("c", LibC.class);
        } catch (UnsatisfiedLinkError e) {
            return Native.load("util", LibC.class);
        }
    }

    private volatile int master; // written by plugIn, read by the reader and writer threads
    private volatile int slave;
    private volatile String slaveName;
    private final Path link;
    /** The folder {@link #temporary} made for the link, removed at {@link #close}; null otherwise. */
    private final Path ownDir;
    private volatile boolean closed;

    private Pty(Path link, @Nullable Path ownDir) {
        this.link = link;
        this.ownDir = ownDir;
    }

    /** Opens a raw pseudo-terminal and links {@code link} to its slave end. */
    public static Pty open(Path link) throws IOException {
        Pty p = new Pty(link, null);
        p.plugIn();
        return p;
    }

    /** A pty linked from a temporary folder of its own ({@code .../ttyDEVICE}), removed with it at close. */
    public static Pty temporary() throws IOException {
        Path dir = Files.createTempDirectory("pigeon-pty");
        Pty p = new Pty(dir.resolve("ttyDEVICE"), dir);
        p.plugIn();
        return p;
    }

    /** A new pseudo-terminal under the same link, as plugging the adapter in again. */
    public synchronized void plugIn() throws IOException {
        int[] m = new int[1];
        int[] s = new int[1];
        byte[] nameBytes = new byte[128];
        if (C.openpty(m, s, nameBytes, null, null) != 0) {
            throw new IOException("openpty failed: errno " + Native.getLastError());
        }
        // Raw mode on the slave: no echo, no line editing, no CR/LF translation.
        Memory termios = new Memory(256);
        termios.clear();
        C.tcgetattr(s[0], termios);
        C.cfmakeraw(termios);
        C.tcsetattr(s[0], 0, termios);
        int len = 0;
        while (len < nameBytes.length && nameBytes[len] != 0) {
            len++;
        }
        String name = new String(nameBytes, 0, len, java.nio.charset.StandardCharsets.US_ASCII);
        Files.createDirectories(link.getParent());
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, Path.of(name));
        this.master = m[0];
        this.slave = s[0];
        this.slaveName = name;
        this.closed = false;
    }

    /** The path a driver opens (the link), as the config's {@code port}. */
    public String device() {
        return link.toString();
    }

    public Path link() {
        return link;
    }

    public String slaveName() {
        return slaveName;
    }

    public boolean isOpen() {
        return !closed;
    }

    /** Writes what the device sends; false when the pty is closed. */
    public synchronized boolean write(byte[] data) {
        if (closed) {
            return false;
        }
        int off = 0;
        while (off < data.length) {
            byte[] chunk = off == 0 ? data : java.util.Arrays.copyOfRange(data, off, data.length);
            int n = C.write(master, chunk, chunk.length);
            if (n <= 0) {
                return false;
            }
            off += n;
        }
        return true;
    }

    /** Writes text as the device sends it (ASCII); false when the pty is closed. */
    public boolean write(String text) {
        return write(text.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    /** Reads exactly {@code n} bytes the driver sent, or fails after the timeout. */
    public byte[] read(int n, int timeoutMillis) throws IOException {
        byte[] out = new byte[n];
        int got = 0;
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        byte[] buf = new byte[n];
        while (got < n) {
            int left = (int) Math.max(0, (deadline - System.nanoTime()) / 1_000_000L);
            if (left == 0) {
                throw new ReadTimeout("read " + got + " of " + n + " bytes within " + timeoutMillis + " ms");
            }
            int r = read(buf, left);
            if (r < 0) {
                throw new IOException("the pty is closed");
            }
            int take = Math.min(r, n - got);
            System.arraycopy(buf, 0, out, got, take);
            got += take;
        }
        return out;
    }

    /** Reads what the driver sent, waiting up to {@code timeoutMillis}; 0 bytes on timeout, -1 when closed. */
    public int read(byte[] buf, int timeoutMillis) {
        if (closed) {
            return -1;
        }
        Memory pfd = new Memory(8);
        pfd.setInt(0, master);
        pfd.setShort(4, (short) 1); // POLLIN
        pfd.setShort(6, (short) 0);
        int ready = C.poll(pfd, 1, timeoutMillis);
        if (ready <= 0 || closed) {
            return closed ? -1 : 0;
        }
        if ((pfd.getShort(6) & 1) == 0) {
            return 0; // hang-up or error without data: nobody has the slave open
        }
        int n = C.read(master, buf, buf.length);
        return n < 0 ? 0 : n;
    }

    /** Pulls the adapter: the link goes, both ends close (the driver's port reports an error or a hang-up). */
    public synchronized void unplug() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Files.deleteIfExists(link);
        } catch (IOException e) {
            // gone already
        }
        C.close(master);
        C.close(slave);
    }

    @Override
    public synchronized void close() {
        unplug();
        if (ownDir != null) {
            try {
                Files.deleteIfExists(ownDir);
            } catch (IOException e) {
                // a temporary folder left behind
            }
        }
    }
}
