package io.pigeon.mqtt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash consistency in the spirit of ALICE and CrashMonkey: every write, truncate, fsync, file creation,
 * deletion and directory fsync the outbox makes is recorded; then, for each point in that trace, the disk a
 * power cut there would leave is rebuilt (files and directory entries as of their last fsync, then the
 * unsynced writes lost, or applied, or the first of them torn in half) and the outbox reopened on it. Every
 * record whose append returned before the last completed fsync, and that was never removed, must be there,
 * byte for byte, and nothing else may appear.
 */
class FileOutboxCrashConsistencyTest {
    private static final byte[] TOPIC = "pigeon/crash".getBytes(UTF_8);

    @TempDir
    Path dir;

    /** One operation of the trace. */
    @SuppressWarnings("ArrayRecordComponent") // a trace entry, never compared or hashed: the array is its content
    record Op(String kind, @Nullable Path path, long position, byte @Nullable [] data, int record) {
    }

    /** Records what the outbox does to its files, and what the workload saw returned. */
    static final class Recorder implements Storage {
        final List<Op> trace = new ArrayList<>();

        void note(String kind, int record) {
            trace.add(new Op(kind, null, 0, null, record));
        }

        @Override
        public FileChannel open(Path segment, boolean create) throws IOException {
            FileChannel real = Storage.FILES.open(segment, create);
            if (create) {
                trace.add(new Op("create", segment, 0, null, -1));
            }
            return new RecordingChannel(real, segment, this);
        }

        @Override
        public void delete(Path segment) throws IOException {
            Storage.FILES.delete(segment);
            trace.add(new Op("delete", segment, 0, null, -1));
        }

        @Override
        public void syncDirectory(Path d) throws IOException {
            Storage.FILES.syncDirectory(d);
            trace.add(new Op("syncdir", d, 0, null, -1));
        }
    }

    private static byte[] payload(int n) {
        return String.format("rec-%05d-%s", n, "p".repeat(n % 300)).getBytes(UTF_8);
    }

    @Test
    void afterAPowerCutAnywhereEveryRecordSyncedBeforeItIsThereByteForByte() throws IOException {
        Path live = Files.createDirectory(dir.resolve("live"));
        Recorder rec = new Recorder();
        Set<Integer> removed = new HashSet<>();
        // A small bound (8 KiB segments) so that rolls and compactions happen; one record is never removed, so
        // compaction copies it forward again and again.
        try (FileOutbox o = new FileOutbox(live, 64 * 1024, 100_000, FileOutbox.Fsync.interval(2), rec)) {
            ArrayDeque<int[]> window = new ArrayDeque<>();
            for (int n = 0; n < 700; n++) {
                byte[] p = payload(n);
                rec.note("appending", n);
                int h = o.append(TOPIC, TOPIC.length, p, 0, p.length, 1, false);
                assertTrue(h >= 0, "record " + n);
                rec.note("appended", n);
                if (n > 0) {
                    window.add(new int[] {h, n});
                }
                if (n % 3 == 0) {
                    o.setStage(h, Outbox.SENT, n % 65_535 + 1);
                    o.persist();
                }
                while (window.size() > 40) {
                    int[] oldest = window.removeFirst();
                    o.remove(oldest[0]);
                    removed.add(oldest[1]);
                }
                if (n % 25 == 0) {
                    o.idle();
                }
                if (n % 7 == 0) {
                    sleepMillis(1);
                }
            }
        }
        List<Op> trace = rec.trace;
        assertTrue(trace.stream().anyMatch(op -> op.kind().equals("delete")), "compaction happened");
        int checked = 0;
        for (int k = 0; k <= trace.size(); k += 2) {
            for (String variant : new String[] {"synced", "torn", "all"}) {
                Path disk = Files.createDirectory(dir.resolve("cut-" + k + "-" + variant));
                rebuild(trace.subList(0, k), disk, variant);
                Set<Integer> mustHave = new HashSet<>();
                Set<Integer> started = new HashSet<>();
                List<Integer> sinceSync = new ArrayList<>();
                for (Op op : trace.subList(0, k)) {
                    if (op.kind().equals("appending")) {
                        started.add(op.record());
                    } else if (op.kind().equals("appended")) {
                        sinceSync.add(op.record());
                    } else if (op.kind().equals("force")) {
                        mustHave.addAll(sinceSync);
                        sinceSync.clear();
                    }
                }
                mustHave.removeAll(removed);
                try (FileOutbox o = new FileOutbox(disk, 64 * 1024, 100_000, FileOutbox.Fsync.never())) {
                    Set<Integer> found = new HashSet<>();
                    for (int h = o.first(); h >= 0; h = o.next(h)) {
                        byte[] d = o.data(h);
                        String text = new String(d, o.topicLength(h), o.payloadLength(h), UTF_8);
                        int n = Integer.parseInt(text.substring(4, 9));
                        assertEquals(new String(payload(n), UTF_8), text, "cut " + k + " " + variant + ": record " + n);
                        assertEquals("pigeon/crash", new String(d, 0, o.topicLength(h), UTF_8));
                        found.add(n);
                    }
                    Set<Integer> lost = new HashSet<>(mustHave);
                    lost.removeAll(found);
                    assertEquals(Set.of(), lost, "cut after op " + k + " of " + trace.size() + " (" + variant + ")");
                    assertTrue(started.containsAll(found), "only records whose append began: " + found);
                    assertEquals(0, o.damagedRecords(), "a cut is not damage: cut " + k + " " + variant);
                }
                checked++;
            }
        }
        assertTrue(checked > 300, "crash points checked: " + checked);
    }

    /**
     * The directory a power cut after {@code ops} leaves: a file exists if its creation was followed by a
     * directory sync (or, until its deletion is synced, still exists); its content is what it held at its last
     * fsync, then per variant the later writes are lost ("synced"), the first of them is half written
     * ("torn"), or all of them arrived ("all").
     */
    private static void rebuild(List<Op> ops, Path disk, String variant) throws IOException {
        Map<Path, byte[]> current = new HashMap<>();
        Map<Path, byte[]> synced = new HashMap<>();
        Map<Path, List<Op>> unsynced = new HashMap<>();
        Set<Path> entries = new HashSet<>();
        Set<Path> durableEntries = new HashSet<>();
        for (Op op : ops) {
            switch (op.kind()) {
                case "create" -> {
                    current.put(op.path(), new byte[0]);
                    synced.put(op.path(), new byte[0]);
                    unsynced.put(op.path(), new ArrayList<>());
                    entries.add(op.path());
                }
                case "write" -> {
                    current.put(op.path(), apply(current.get(op.path()), op.position(), op.data()));
                    unsynced.get(op.path()).add(op);
                }
                case "truncate" -> {
                    byte[] c = current.get(op.path());
                    current.put(op.path(), Arrays.copyOf(c, (int) Math.min(c.length, op.position())));
                    unsynced.get(op.path()).add(op);
                }
                case "force" -> {
                    synced.put(op.path(), current.get(op.path()).clone());
                    unsynced.get(op.path()).clear();
                }
                case "delete" -> entries.remove(op.path());
                case "syncdir" -> {
                    durableEntries.clear();
                    durableEntries.addAll(entries);
                }
                default -> {
                    // a note of the workload's
                }
            }
        }
        for (Path p : durableEntries) {
            byte[] content = synced.get(p);
            List<Op> later = unsynced.get(p);
            if (variant.equals("all")) {
                content = current.get(p);
            } else if (variant.equals("torn") && !later.isEmpty() && later.get(0).kind().equals("write")) {
                Op first = later.get(0);
                content = apply(content, first.position(), Arrays.copyOf(first.data(), first.data().length / 2));
            }
            Files.write(disk.resolve(p.getFileName()), content);
        }
    }

    private static byte[] apply(byte[] file, long position, byte[] data) {
        byte[] out = file.length >= position + data.length ? file.clone() : Arrays.copyOf(file, (int) position + data.length);
        System.arraycopy(data, 0, out, (int) position, data.length);
        return out;
    }

    private static void sleepMillis(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A FileChannel that does what the real one does and tells the recorder what that was. */
    static class RecordingChannel extends FileChannel {
        private final FileChannel real;
        private final Path path;
        private final Recorder recorder;

        /** {@code recorder} may be null: then it only passes everything on (a base for failing channels). */
        RecordingChannel(FileChannel real, Path path, Recorder recorder) {
            this.real = real;
            this.path = path;
            this.recorder = recorder;
        }

        private void record(Op op) {
            if (recorder != null) {
                recorder.trace.add(op);
            }
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            byte[] data = new byte[src.remaining()];
            src.duplicate().get(data);
            int n = real.write(src, position);
            record(new Op("write", path, position, Arrays.copyOf(data, n), -1));
            return n;
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            real.truncate(size);
            record(new Op("truncate", path, size, null, -1));
            return this;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            real.force(metaData);
            record(new Op("force", path, 0, null, -1));
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return real.read(dst, position);
        }

        @Override
        public long size() throws IOException {
            return real.size();
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return real.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return real.read(dsts, offset, length);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            throw new UnsupportedOperationException("the outbox writes at positions");
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) {
            throw new UnsupportedOperationException("the outbox writes at positions");
        }

        @Override
        public long position() throws IOException {
            return real.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            real.position(newPosition);
            return this;
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) {
            throw new UnsupportedOperationException();
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return real.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return real.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            real.close();
        }
    }
}
