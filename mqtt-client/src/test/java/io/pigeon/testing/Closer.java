package io.pigeon.testing;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** What a test opened (brokers, proxies, clients), closed after it, last opened first. */
public final class Closer implements AutoCloseable {
    private final List<AutoCloseable> opened = new ArrayList<>();

    public <T extends AutoCloseable> T track(T t) {
        opened.add(t);
        return t;
    }

    /** Closes everything, even when one fails; the first failure is thrown after (an interrupt is kept). */
    @Override
    public void close() throws IOException {
        Exception first = null;
        for (int i = opened.size() - 1; i >= 0; i--) {
            try {
                opened.get(i).close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                first = first == null ? e : first;
            } catch (Exception e) {
                first = first == null ? e : first;
            }
        }
        opened.clear();
        if (first != null) {
            throw new IOException("closing what the test opened: " + first, first);
        }
    }
}
