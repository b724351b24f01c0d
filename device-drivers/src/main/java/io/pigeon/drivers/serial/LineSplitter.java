package io.pigeon.drivers.serial;

import java.nio.charset.StandardCharsets;

/**
 * Splits a byte stream into lines at a delimiter, in one fixed buffer: a line longer than the maximum is
 * discarded up to its delimiter and reported once, never buffered without limit. With the default
 * delimiter {@code \n}, a carriage return before it is dropped.
 */
public final class LineSplitter {
    /** What the splitter found. */
    public interface Lines {
        void line(String line);

        void tooLong();
    }

    private final byte[] buf;
    private final byte[] delimiter;
    private int len;
    private int matched;
    private boolean discarding;

    public LineSplitter(int maxLength, byte[] delimiter) {
        if (maxLength < 1 || delimiter.length == 0) {
            throw new IllegalArgumentException("line length and delimiter must not be empty");
        }
        this.buf = new byte[maxLength];
        this.delimiter = delimiter.clone();
    }

    public void reset() {
        len = 0;
        matched = 0;
        discarding = false;
    }

    /**
     * After a port is (re)opened: drops everything up to the first delimiter, since the first bytes are
     * usually the tail of a line sent before ({@code 21.5} arriving as {@code 1.5}).
     */
    public void resync() {
        reset();
        discarding = true;
    }

    public void accept(byte[] data, int length, Lines out) {
        for (int i = 0; i < length; i++) {
            byte b = data[i];
            if (b == delimiter[matched]) {
                if (++matched == delimiter.length) {
                    if (!discarding) {
                        int end = len;
                        if (delimiter.length == 1 && delimiter[0] == '\n' && end > 0 && buf[end - 1] == '\r') {
                            end--;
                        }
                        out.line(new String(buf, 0, end, StandardCharsets.UTF_8));
                    }
                    reset();
                }
                continue;
            }
            // A partial delimiter match was content after all.
            for (int k = 0; k < matched; k++) {
                append(delimiter[k], out);
            }
            matched = 0;
            if (b == delimiter[0]) {
                matched = 1; // only reachable for delimiters of two or more bytes
            } else {
                append(b, out);
            }
        }
    }

    private void append(byte b, Lines out) {
        if (discarding) {
            return;
        }
        if (len == buf.length) {
            discarding = true;
            len = 0;
            out.tooLong();
            return;
        }
        buf[len++] = b;
    }
}
