package io.pigeon.testing;

import java.util.ArrayList;
import java.util.List;

/** What a test opened (brokers, proxies, clients), closed after it, last opened first. */
public final class Closer implements AutoCloseable {
    private final List<AutoCloseable> opened = new ArrayList<>();

    public <T extends AutoCloseable> T track(T t) {
        opened.add(t);
        return t;
    }

    @Override
    public void close() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
        opened.clear();
    }
}
