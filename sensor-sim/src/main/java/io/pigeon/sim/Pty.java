package io.pigeon.sim;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A pseudo-terminal made with libc's {@code openpty} (through JNA: no external tool), in raw mode. The
 * simulator plays the device at the master end; the gateway opens the slave end through jssc, by a stable
 * symbolic link, as it would open {@code /dev/ttyUSB0}. {@link #close} removes the link and closes the
 * master, as pulling a USB adapter does.
 */
public final class Pty implements AutoCloseable {
    interface LibC extends Library {
        int openpty(int[] master, int[] slave, byte[] name, Pointer termios, Pointer winsize);

        int tcgetattr(int fd, Pointer termios);

        void cfmakeraw(Pointer termios);

        int tcsetattr(int fd, int action, Pointer termios);

        int write(int fd, byte[] buf, int count);

        int read(int fd, byte[] buf, int count);

        int poll(Pointer fds, int nfds, int timeout);

        int close(int fd);
    }

    private static final LibC C = load();

    private static LibC load() {
        try {
            return Native.load("c", LibC.class);
        } catch (UnsatisfiedLinkError e) {
            return Native.load("util", LibC.class);
        }
    }

    private final int master;
    private final int slave;
    private final String slaveName;
    private final Path link;
    private volatile boolean closed;

    private Pty(int master, int slave, String slaveName, Path link) {
        this.master = master;
        this.slave = slave;
        this.slaveName = slaveName;
        this.link = link;
    }

    /** Opens a raw pseudo-terminal and links {@code link} to its slave end. */
    public static Pty open(Path link) throws IOException {
        int[] m = new int[1];
        int[] s = new int[1];
        byte[] name = new byte[128];
        if (C.openpty(m, s, name, null, null) != 0) {
            throw new IOException("openpty failed: errno " + Native.getLastError());
        }
        // Raw mode on the slave: no echo, no line editing, no CR/LF translation.
        Memory termios = new Memory(256);
        termios.clear();
        C.tcgetattr(s[0], termios);
        C.cfmakeraw(termios);
        C.tcsetattr(s[0], 0, termios);
        int len = 0;
        while (len < name.length && name[len] != 0) {
            len++;
        }
        String slaveName = new String(name, 0, len, java.nio.charset.StandardCharsets.US_ASCII);
        Files.createDirectories(link.getParent());
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, Path.of(slaveName));
        return new Pty(m[0], s[0], slaveName, link);
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

    /** Reads what the gateway sent, waiting up to {@code timeoutMillis}; 0 bytes on timeout, -1 when closed. */
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

    @Override
    public synchronized void close() {
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
}
