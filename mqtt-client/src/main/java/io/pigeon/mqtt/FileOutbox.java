package io.pigeon.mqtt;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * A crash-safe outbox on disk: every accepted message is appended to a segment file before
 * {@code publish} returns, and stays there until its PUBACK (or PUBCOMP) is recorded, so after a crash,
 * kill -9 or power loss the client resends everything accepted and unacknowledged, in order.
 *
 * <p>Format: segment files {@code <number, 16 hex digits>.seg} of records
 * {@code [u32 body length][u32 CRC-32C of body][body]}; a DATA body is
 * {@code [1][u64 seq][u8 qos | retain << 2][u16 topic length][topic][payload]}, an ACK body is
 * {@code [2][u64 seq]}, a STAGE body {@code [3][u64 seq][u8 stage][u16 packet id]}: the message was written to
 * the broker with that packet id (stage SENT), or its PUBREC came (RELEASED).
 *
 * <p>Recovery reads every segment whole. A damaged record (a flipped bit, a bad sector) is skipped: reading
 * resumes at the next offset where a record with a valid length and CRC starts, and every intact record is
 * kept; damaged records are counted ({@link #damagedRecords}). A record cut short at the end of a segment (a
 * crash during a write) is cut off ({@link #tornRecords}).
 *
 * <p>Durability: a record reaches the operating system at once (a process crash loses nothing); it
 * reaches the storage by {@code fsync} as {@link Fsync} says, in every state of the client (the client calls
 * {@link #idle} about once a second, connected or not). The default, {@link Fsync#interval} of one second,
 * bounds the loss on power failure to about a second while keeping an SD card's writes few and large: many
 * records share one flush (group commit). Creating and deleting a segment is followed by an fsync of the
 * directory.
 *
 * <p>Stage and ACK records are buffered and written by {@link #persist} (which the client calls before it
 * writes the packets they describe to the socket), with the next DATA record, or at {@link #idle}: so after a
 * crash a message resent is resent with DUP and its original packet id, and a QoS 2 message whose PUBREC came
 * is released, not published again. Acknowledgements not yet written when the process dies make their
 * messages be sent once more: at most the in-flight window of them.
 *
 * <p>Space: {@code maxBytes} bounds the files on disk, record headers, acknowledgements and dead records
 * included. Live messages may take up to {@code maxBytes - 3 × segment size} (segments are an eighth of the
 * bound, 4 MiB at most); the rest is room for records not yet reclaimed and for compaction, which copies the
 * live records of the oldest segment forward (appending to a new segment, never overwriting a file), forces
 * the copies to storage, then deletes the old segment. Opened with a smaller bound than the files hold, the
 * oldest messages are dropped until the rest fits ({@link #droppedAtStart}).
 *
 * <p>A disk that fails (full, EIO, remounted read-only) is a state, not an exception: new records are held
 * in memory (up to 1 MiB, within the bound), acknowledgements go on without ACK records (each such message
 * may be sent once more after a crash; counted in {@link #unrecorded}), the failure is reported once through
 * {@link #idle}, and every {@link #idle} tries the disk again; once it takes writes, the records held in
 * memory are written in order and the outbox is whole again ({@link #degradedReason} null).
 *
 * <p>One process at a time: the outbox holds an exclusive lock on {@code outbox.lock} in its directory, and a
 * second opening fails with {@link OutboxLockedException}.
 *
 * <p>Not thread-safe: the client calls it under its lock. {@link #data} returns a shared buffer that is
 * valid until the next call.
 */
public final class FileOutbox extends SlotOutbox {
    /** When appended records are forced to the storage device. */
    public record Fsync(long intervalMillis) {
        /** fsync after every append: safest, slowest, hardest on flash. */
        public static Fsync always() {
            return new Fsync(0);
        }

        /** fsync at most every {@code millis}, when something was appended. */
        public static Fsync interval(long millis) {
            return new Fsync(millis);
        }

        /** Never fsync; the operating system writes back in its own time (a crash of the process is still safe). */
        public static Fsync never() {
            return new Fsync(-1);
        }
    }

    /** Thrown when another process (or another outbox in this one) holds the directory. */
    public static final class OutboxLockedException extends IOException {
        private static final long serialVersionUID = 1L;

        OutboxLockedException(Path dir, String holder) {
            super("outbox directory " + dir + " is in use by another process"
                + (holder.isEmpty() ? "" : " (pid " + holder + ")") + ": each gateway needs its own outbox_dir");
        }
    }

    static final String LOCK_FILE = "outbox.lock";
    private static final byte DATA = 1;
    private static final byte ACK = 2;
    private static final byte STAGE = 3;
    private static final int HEADER = 8;
    private static final int DATA_FIXED = 1 + 8 + 1 + 2;
    private static final int ACK_LENGTH = 1 + 8;
    private static final int STAGE_LENGTH = 1 + 8 + 1 + 2;

    private final Path dir;
    private final long maxBytes;
    private final int maxRecords;
    private final long segmentSize;
    /** Live DATA records may take this much of the disk, headers included. */
    private final long liveLimit;
    private final Fsync fsync;
    private final Storage storage;
    private final CRC32C crc = new CRC32C();
    private final FileChannel lockChannel;
    private ByteBuffer writeBuf = ByteBuffer.allocate(4096);
    private final ByteBuffer pendingMeta = ByteBuffer.allocate(4096);
    private byte[] readBuf = new byte[256];

    // Segments, oldest first.
    private final List<Segment> segments = new ArrayList<>();
    private long nextSeq = 1;
    private long nextSegment = 1;
    private long lastSync = System.nanoTime();
    private boolean dirty;
    private boolean compacting;
    /** A write failure met where it could not be thrown, for the next {@link #idle} to report. */
    private @Nullable IOException deferredError;
    /** Why the disk cannot be written now (full, failing, read-only), or null: the outbox is degraded. */
    private volatile @Nullable IOException failure;
    /** Topic and payload bytes of the records held only in memory while degraded. */
    private long memoryOnlyBytes;
    /** Live records held only in memory while degraded, headers included as they will be on disk. */
    private long memoryOnlyDisk;
    /** Stage and ACK records given up because the disk failed: each may cause a duplicate after a crash. */
    private long unrecorded;
    private int pendingRecords;
    /** While degraded, records wait in memory up to this many topic and payload bytes. */
    private static final long DEGRADED_MEMORY = 1 << 20;
    /** Bytes on disk of the live DATA records. */
    private long liveDisk;

    // Index of live records: slots linked in sequence order, as in MemoryOutbox.
    // Recent records also stay in memory (slot arrays reused, as in MemoryOutbox) up to CACHE_BYTES, so
    // sending them does not read the file back.
    private static final long CACHE_BYTES = 1 << 20;
    private byte[][] cache = new byte[0][];
    private boolean[] cached = new boolean[0];
    private long cachedBytes;
    private long[] seq = new long[0];
    private Segment[] segment = new Segment[0];
    private long[] offset = new long[0];
    private long recovered;
    private long tornRecords;
    private long damagedRecords;
    private long droppedAtStart;
    private final List<String> warnings = new ArrayList<>();

    private static final class Segment {
        final Path path;
        final FileChannel channel;
        long size;
        int live;
        /** Bytes of the live DATA records in it: {@code size - liveBytes} is what compaction would reclaim. */
        long liveBytes;

        Segment(Path path, FileChannel channel, long size) {
            this.path = path;
            this.channel = channel;
            this.size = size;
        }
    }

    /**
     * Opens (creating it if needed) the outbox in {@code dir}, locks it, and recovers what an earlier run left.
     *
     * @throws OutboxLockedException when another process uses the directory
     * @throws IOException naming the directory when it cannot be created, read or written
     */
    public FileOutbox(Path dir, long maxBytes, int maxRecords, Fsync fsync) throws IOException {
        this(dir, maxBytes, maxRecords, fsync, Storage.FILES);
    }

    /** With the segment files reached through {@code storage} (a recorder, in tests). */
    FileOutbox(Path dir, long maxBytes, int maxRecords, Fsync fsync, Storage storage) throws IOException {
        super(Integer.MAX_VALUE); // recovery may find more than maxRecords; fits() bounds new ones
        this.storage = storage;
        if (maxBytes < 1024 || maxRecords < 1) {
            throw new IllegalArgumentException("outbox limits too small");
        }
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.maxRecords = maxRecords;
        this.segmentSize = Math.max(256, Math.min(4L * 1024 * 1024, maxBytes / 8));
        this.liveLimit = maxBytes - 3 * segmentSize;
        this.fsync = fsync;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IOException("outbox directory " + dir + " cannot be created: " + e, e);
        }
        if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
            throw new IOException("outbox directory " + dir + " is not a writable directory");
        }
        lockChannel = lock(dir);
        try {
            recover();
            if (segments.isEmpty()) {
                newSegment();
            }
            fitToBound();
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Takes the directory's lock, writing this process's pid into the lock file for whoever is refused. */
    private static FileChannel lock(Path dir) throws IOException {
        FileChannel ch = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by this very process
        }
        if (lock == null) {
            String holder = holder(ch);
            ch.close();
            throw new OutboxLockedException(dir, holder);
        }
        ch.truncate(0);
        ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        return ch;
    }

    private static String holder(FileChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(32);
        ch.read(b, 0);
        return new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).trim();
    }

    /**
     * Whether another process holds the outbox in {@code dir} (for a config check): its pid, or an empty
     * string when it is free or absent. Takes and releases the lock at once.
     */
    public static String lockHolder(Path dir) {
        Path file = dir.resolve(LOCK_FILE);
        if (!Files.exists(file)) {
            return "";
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                return String.valueOf(ProcessHandle.current().pid());
            }
            if (lock == null) {
                String h = holder(ch);
                return h.isEmpty() ? "?" : h;
            }
            lock.release();
            return "";
        } catch (IOException e) {
            return "";
        }
    }

    /** Messages found on disk at start, for the log. */
    public long recovered() {
        return recovered;
    }

    /** Records cut short at the end of a segment (a crash during a write), cut off at start. */
    public long tornRecords() {
        return tornRecords;
    }

    /** Damaged records skipped at start (corruption inside a segment); the intact ones around them are kept. */
    public long damagedRecords() {
        return damagedRecords;
    }

    /** Oldest messages dropped at start because the files held more than the bound allows now. */
    public long droppedAtStart() {
        return droppedAtStart;
    }

    /** What recovery found odd but could go on from (a directory named like a segment), for the log. */
    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    // ---------------------------------------------------------------- recovery

    private void recover() throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.seg")) {
            for (Path p : ds) {
                if (Files.isDirectory(p)) {
                    warnings.add("ignored " + p + ": a directory, not a segment");
                } else {
                    files.add(p);
                }
            }
        }
        files.sort(null);
        Map<Long, Integer> bySeq = new HashMap<>();
        for (Path path : files) {
            String name = path.getFileName().toString();
            try {
                nextSegment = Math.max(nextSegment, Long.parseUnsignedLong(name.substring(0, name.length() - 4), 16) + 1);
            } catch (NumberFormatException e) {
                warnings.add("ignored " + path + ": not a segment name");
                continue;
            }
            FileChannel ch = storage.open(path, false);
            Segment seg = new Segment(path, ch, ch.size());
            byte[] data = new byte[(int) Math.min(Integer.MAX_VALUE - 8, ch.size())];
            readFully(ch, ByteBuffer.wrap(data), 0);
            int good = scan(seg, data, bySeq);
            if (good < data.length) {
                tornRecords++;
                ch.truncate(good); // drop the torn tail so new records follow valid ones
            }
            seg.size = good;
            segments.add(seg);
        }
        // Compaction copies records forward: order the survivors by sequence, not by file position.
        List<long[]> live = new ArrayList<>();
        for (int h = first(); h >= 0; h = next(h)) {
            live.add(new long[] {seq[h], h});
        }
        live.sort((a, b) -> Long.compare(a[0], b[0]));
        int[] order = new int[live.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = (int) live.get(i)[1];
            segment[order[i]].live++;
            segment[order[i]].liveBytes += recordBytes(order[i]);
        }
        relink(order);
        recovered = size;
        reclaim();
    }

    /**
     * Replays one segment into the index, skipping damaged records; returns the length of the part that ends
     * with a valid record (what follows it is a torn tail).
     */
    private int scan(Segment seg, byte[] data, Map<Long, Integer> bySeq) {
        int pos = 0;
        int good = 0;
        while (pos + HEADER <= data.length) {
            int length = recordAt(data, pos);
            if (length < 0) {
                int next = pos + 1;
                while (next + HEADER <= data.length && recordAt(data, next) < 0) {
                    next++;
                }
                if (next + HEADER > data.length) {
                    break; // nothing valid follows: a torn tail
                }
                damagedRecords++;
                pos = next;
                continue;
            }
            apply(seg, data, pos, length, bySeq);
            pos += HEADER + length;
            good = pos;
        }
        return good;
    }

    /** The body length of a valid record at {@code pos}, or -1. */
    private int recordAt(byte[] data, int pos) {
        ByteBuffer b = ByteBuffer.wrap(data);
        int length = b.getInt(pos);
        if (length < ACK_LENGTH || length > data.length - pos - HEADER) {
            return -1;
        }
        byte type = data[pos + HEADER];
        boolean shape = (type == DATA && length >= DATA_FIXED) || (type == ACK && length == ACK_LENGTH)
            || (type == STAGE && length == STAGE_LENGTH);
        if (!shape) {
            return -1;
        }
        crc.reset();
        crc.update(data, pos + HEADER, length);
        return (int) crc.getValue() == b.getInt(pos + 4) ? length : -1;
    }

    private void apply(Segment seg, byte[] data, int pos, int length, Map<Long, Integer> bySeq) {
        ByteBuffer body = ByteBuffer.wrap(data, pos + HEADER, length).slice();
        long s = body.getLong(1);
        nextSeq = Math.max(nextSeq, s + 1);
        switch (body.get(0)) {
            case DATA -> {
                int flags = body.get(9) & 7;
                int topicLen = body.getShort(10) & 0xFFFF;
                int payloadLen = length - DATA_FIXED - topicLen;
                if (payloadLen < 0 || (flags & 3) == 3) {
                    damagedRecords++; // a valid CRC over an impossible record: not ours to trust
                    return;
                }
                Integer old = bySeq.remove(s);
                if (old != null) {
                    drop(old); // a copy made by compaction: keep the newer one
                }
                int h = allocate();
                seq[h] = s;
                segment[h] = seg;
                offset[h] = (long) pos + HEADER;
                add(h, flags & 3, (flags & 4) != 0, topicLen, payloadLen);
                liveDisk += HEADER + (long) length;
                bySeq.put(s, h);
            }
            case STAGE -> {
                Integer h = bySeq.get(s);
                int stage = body.get(9);
                if (h != null && stage >= QUEUED && stage <= RELEASED) {
                    super.setStage(h, stage, body.getShort(10) & 0xFFFF);
                }
            }
            default -> {
                Integer h = bySeq.remove(s);
                if (h != null) {
                    drop(h);
                }
            }
        }
    }

    /** Forgets a record found during recovery. */
    private void drop(int h) {
        forget(h);
        liveDisk -= recordBytes(h);
        release(h);
    }

    /**
     * Opened with a smaller bound than the files hold: drops the oldest messages until the rest fits, then
     * copies the rest into new segments and deletes the old ones (the dropped records go with them; should the
     * process die first, they are dropped again at the next start).
     */
    private void fitToBound() throws IOException {
        while (size > 0 && (liveDisk > liveLimit || size > maxRecords)) {
            int h = first();
            forget(h);
            liveDisk -= recordBytes(h);
            segment[h].live--;
            segment[h].liveBytes -= recordBytes(h);
            release(h);
            droppedAtStart++;
        }
        int old = segments.size();
        if (droppedAtStart > 0) {
            newSegment();
        }
        for (int pass = old; pass > 0 && (droppedAtStart > 0 || onDisk() > maxBytes - segmentSize); pass--) {
            if (!compactOldest()) {
                break;
            }
        }
        reclaim();
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos + buf.position());
            if (n < 0) {
                throw new IOException("unexpected end of segment");
            }
        }
    }

    // ---------------------------------------------------------------- Outbox

    private static long recordBytes(int topicLen, int payloadLen) {
        return HEADER + DATA_FIXED + (long) topicLen + payloadLen;
    }

    private long recordBytes(int h) {
        return recordBytes(topicLength[h], payloadLength[h]);
    }

    @Override
    public boolean fits(int topicLen, int payloadLen) {
        long r = recordBytes(topicLen, payloadLen);
        boolean fitsDisk = size < maxRecords && r <= segmentSize && liveDisk + memoryOnlyDisk + r <= liveLimit;
        return failure == null ? fitsDisk
            : fitsDisk && memoryOnlyBytes + topicLen + payloadLen <= Math.min(DEGRADED_MEMORY, liveLimit);
    }

    /** Why the disk cannot be written now (the outbox holds new records in memory meanwhile), or null. */
    public @Nullable String degradedReason() {
        IOException f = failure;
        return f == null ? null : String.valueOf(f.getMessage());
    }

    /** Stage and ACK records lost to a failing disk: at most this many messages may be sent again after a crash. */
    public long unrecorded() {
        return unrecorded;
    }

    @Override
    public boolean canHold(int topicLen, int payloadLen) {
        return recordBytes(topicLen, payloadLen) <= Math.min(segmentSize, liveLimit);
    }

    @Override
    public int append(byte[] topic, int topicLen, byte[] payload, int payloadOffset, int payloadLen, int qos,
                      boolean retain) {
        if (!fits(topicLen, payloadLen)) {
            return -1;
        }
        long s = nextSeq++;
        int h = allocate();
        seq[h] = s;
        long at = -1;
        if (failure == null) {
            try {
                at = writeData(s, (byte) (qos | (retain ? 4 : 0)), topic, 0, topicLen, payload, payloadOffset, payloadLen);
            } catch (IOException e) {
                degrade(e);
            }
        }
        int n = topicLen + payloadLen;
        long r = recordBytes(topicLen, payloadLen);
        if (at >= 0) {
            offset[h] = at;
            segment[h] = active();
            liveDisk += r;
            active().live++;
            active().liveBytes += r;
        } else {
            segment[h] = null; // held in memory until the disk takes writes again
            memoryOnlyBytes += n;
            memoryOnlyDisk += r;
        }
        if (at < 0 || cachedBytes + n <= CACHE_BYTES) {
            cache[h] = MemoryOutbox.copy(cache[h], topic, topicLen, payload, payloadOffset, payloadLen);
            cached[h] = true;
            cachedBytes += n;
        }
        add(h, qos, retain, topicLen, payloadLen);
        return h;
    }

    /** The disk failed: new records go to memory, and the failure is reported by the next {@link #idle}. */
    private void degrade(IOException e) {
        if (failure == null) {
            deferredError = e;
        }
        failure = e;
    }

    /** Degraded: writes what waits in memory to the disk again, in order; stays degraded if the disk still fails. */
    private void tryResume() {
        try {
            flushPending();
            for (int h = first(); h >= 0; h = next(h)) {
                if (segment[h] == null) {
                    byte[] d = data(h);
                    long at = writeData(seq[h], flags(h), d, 0, topicLength[h], d, topicLength[h], payloadLength[h]);
                    long r = recordBytes(h);
                    offset[h] = at;
                    segment[h] = active();
                    liveDisk += r;
                    active().live++;
                    active().liveBytes += r;
                    memoryOnlyBytes -= topicLength[h] + payloadLength[h];
                    memoryOnlyDisk -= r;
                    if (stage(h) != QUEUED) {
                        bufferStage(h);
                    }
                }
            }
            flushPending();
            maybeSync(true);
            failure = null;
        } catch (IOException e) {
            failure = e;
        }
    }

    /**
     * Appends a DATA record to the active segment, preceded by the stage and ACK records waiting (one
     * write call for both); returns the file offset of its body.
     */
    private long writeData(long s, byte flags, byte[] topic, int topicOff, int topicLen, byte[] payload, int payloadOff,
                           int payloadLen) throws IOException {
        int length = DATA_FIXED + topicLen + payloadLen;
        makeRoom(pendingMeta.position() + HEADER + length); // may copy records forward itself, so first
        int acks = pendingMeta.position();
        ByteBuffer b = buffer(acks + HEADER + length);
        b.put(pendingMeta.array(), 0, acks);
        pendingMeta.clear();
        int records = pendingRecords;
        pendingRecords = 0;
        b.putInt(length).putInt(0).put(DATA).putLong(s).put(flags).putShort((short) topicLen)
            .put(topic, topicOff, topicLen).put(payload, payloadOff, payloadLen);
        crc.reset();
        crc.update(b.array(), b.arrayOffset() + acks + HEADER, length);
        b.putInt(acks + 4, (int) crc.getValue());
        try {
            return write(b) + acks + HEADER;
        } catch (IOException e) {
            unrecorded += records; // the stage and ACK records that went with it are lost
            throw e;
        }
    }

    /**
     * Before {@code bytes} are written: compacts while they would take the files past the bound (less a
     * segment, the room one compaction needs), then rolls to a new segment when the active one is full.
     */
    private void makeRoom(long bytes) throws IOException {
        if (!compacting) {
            for (int pass = segments.size(); pass > 0 && onDisk() + bytes > maxBytes - segmentSize; pass--) {
                if (!compactOldest()) {
                    break;
                }
            }
        }
        if (active().size + bytes > segmentSize && active().size > 0) {
            newSegment();
        }
    }

    private long onDisk() {
        long total = pendingMeta.position();
        for (Segment s : segments) {
            total += s.size;
        }
        return total;
    }

    /** Writes the stage and ACK records waiting in memory. */
    private void flushPending() throws IOException {
        if (pendingMeta.position() == 0) {
            return;
        }
        int n = pendingMeta.position();
        makeRoom(n);
        ByteBuffer b = buffer(pendingMeta.position());
        b.put(pendingMeta.array(), 0, pendingMeta.position());
        pendingMeta.clear();
        int records = pendingRecords;
        pendingRecords = 0;
        try {
            write(b);
        } catch (IOException e) {
            unrecorded += records;
            throw e;
        }
    }

    /** Writes the buffer's records at the end of the active segment; returns where they start. */
    private long write(ByteBuffer b) throws IOException {
        b.flip();
        Segment seg = active();
        long pos = seg.size;
        int n = b.remaining();
        while (b.hasRemaining()) {
            seg.channel.write(b, pos + b.position());
        }
        seg.size += n;
        dirty = true;
        maybeSync(false);
        return pos;
    }

    private ByteBuffer buffer(int need) {
        if (writeBuf.capacity() < need) {
            writeBuf = ByteBuffer.allocate(Math.max(need, writeBuf.capacity() * 2));
        }
        writeBuf.clear();
        return writeBuf;
    }

    private void maybeSync(boolean force) throws IOException {
        if (force) {
            flushPending();
        }
        if (!dirty || fsync.intervalMillis() < 0) {
            return;
        }
        long now = System.nanoTime();
        if (force || fsync.intervalMillis() == 0 || now - lastSync >= fsync.intervalMillis() * 1_000_000) {
            active().channel.force(false);
            lastSync = now;
            dirty = false;
        }
    }

    /** Writes deferred stage and ACK records and, when the fsync interval has passed, forces them to storage. */
    @Override
    public void idle() {
        if (failure != null) {
            tryResume();
        }
        IOException deferred = deferredError;
        if (deferred != null) {
            deferredError = null;
            throw new UncheckedIOException("outbox write failed in " + dir + ": " + deferred.getMessage()
                + "; holding new messages in memory until it can write again", deferred);
        }
        if (failure != null) {
            return;
        }
        try {
            flushPending();
            maybeSync(false);
        } catch (IOException e) {
            degrade(e);
        }
    }

    /** Forces what was appended to the storage device now (e.g. at a clean shutdown). */
    public void sync() {
        try {
            maybeSync(true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Segment active() {
        return segments.get(segments.size() - 1);
    }

    /** Starts a new segment under a name never used before: no file is ever opened for truncation. */
    private void newSegment() throws IOException {
        if (!segments.isEmpty() && dirty && fsync.intervalMillis() >= 0) {
            active().channel.force(false); // the old segment is complete on the storage before the next begins
            lastSync = System.nanoTime();
            dirty = false;
        }
        Path p = dir.resolve(String.format("%016x.seg", nextSegment++));
        FileChannel ch = storage.open(p, true);
        segments.add(new Segment(p, ch, 0));
        syncDirectory();
    }

    /**
     * Copies the live records of the oldest segment forward, forces the copies to storage, then deletes it (and
     * any fully dead segments behind it). Returns false when there is nothing to gain: no dead bytes in any
     * segment but the active one.
     */
    private boolean compactOldest() throws IOException {
        long dead = 0;
        for (int i = 0; i < segments.size() - 1; i++) {
            dead += segments.get(i).size - segments.get(i).liveBytes;
        }
        if (dead == 0) {
            return false;
        }
        Segment oldest = segments.get(0);
        compacting = true;
        try {
            for (int h = first(); h >= 0 && oldest.live > 0; h = next(h)) {
                if (segment[h] == oldest) {
                    byte[] copy = Arrays.copyOf(data(h), topicLength[h] + payloadLength[h]);
                    long pos = writeData(seq[h], flags(h), copy, 0, topicLength[h], copy, topicLength[h],
                        payloadLength[h]);
                    long bytes = recordBytes(h);
                    oldest.live--;
                    oldest.liveBytes -= bytes;
                    segment[h] = active();
                    offset[h] = pos;
                    active().live++;
                    active().liveBytes += bytes;
                    if (stage(h) != QUEUED) {
                        bufferStage(h); // the old STAGE record goes with the old segment
                    }
                }
            }
            maybeSync(true); // the copies are on the storage before the originals go
        } finally {
            compacting = false;
        }
        reclaim();
        return true;
    }

    /** Deletes the oldest segments with no live record left, then makes the deletions durable. */
    private void reclaim() {
        boolean deleted = false;
        while (segments.size() > 1 && segments.get(0).live == 0) {
            Segment s = segments.remove(0);
            try {
                s.channel.close();
                storage.delete(s.path);
                deleted = true;
            } catch (IOException e) {
                // tried; it goes next time
            }
        }
        if (deleted) {
            try {
                syncDirectory();
            } catch (IOException e) {
                // the deletion becomes durable with the next directory sync
            }
        }
    }

    /** Makes the directory's entries (segments created or deleted) durable. */
    private void syncDirectory() throws IOException {
        if (fsync.intervalMillis() >= 0) {
            storage.syncDirectory(dir);
        }
    }

    @Override
    public byte[] data(int h) {
        if (cached[h]) {
            return cache[h];
        }
        int n = topicLength[h] + payloadLength[h];
        if (readBuf.length < n) {
            readBuf = new byte[Math.max(n, readBuf.length * 2)];
        }
        try {
            ByteBuffer b = ByteBuffer.wrap(readBuf, 0, n);
            long pos = offset[h] + DATA_FIXED;
            while (b.hasRemaining()) {
                if (segment[h].channel.read(b, pos + b.position()) < 0) {
                    throw new IOException("record beyond the end of its segment");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("outbox read failed in " + dir + ": " + e.getMessage(), e);
        }
        return readBuf;
    }

    /**
     * Records the acknowledgement. The ACK record is written with the next append, {@link #persist} or
     * {@link #idle}: a crash before that only means the message is sent once more, which at least once allows,
     * and it halves the writes of a busy outbox.
     */
    @Override
    public void remove(int h) {
        forget(h);
        if (segment[h] == null) {
            // never written: nothing on disk to acknowledge
            memoryOnlyBytes -= topicLength[h] + payloadLength[h];
            memoryOnlyDisk -= recordBytes(h);
            release(h);
            return;
        }
        makePendingRoom(ACK_LENGTH);
        int at = pendingMeta.position();
        pendingMeta.putInt(ACK_LENGTH).putInt(0).put(ACK).putLong(seq[h]);
        sealPending(at, ACK_LENGTH);
        pendingRecords++;
        liveDisk -= recordBytes(h);
        segment[h].live--;
        segment[h].liveBytes -= recordBytes(h);
        release(h);
        reclaim();
    }

    /** Records the new stage; it reaches the file with the next {@link #persist}. */
    @Override
    public void setStage(int h, int stage, int id) {
        super.setStage(h, stage, id);
        if (segment[h] != null) {
            bufferStage(h); // a record held in memory gets its stage written with it
        }
    }

    private void bufferStage(int h) {
        makePendingRoom(STAGE_LENGTH);
        int at = pendingMeta.position();
        pendingMeta.putInt(STAGE_LENGTH).putInt(0).put(STAGE).putLong(seq[h]).put((byte) stage(h))
            .putShort((short) packetId(h));
        sealPending(at, STAGE_LENGTH);
        pendingRecords++;
    }

    /**
     * Makes room in the pending buffer for one more record, writing what it holds. Never throws: when the
     * storage fails, the pending records are given up (their messages may be sent once more after a crash, or
     * resent as new) and the error is reported by the next {@link #idle}, so that an acknowledgement never
     * breaks the client's state.
     */
    private void makePendingRoom(int length) {
        if (pendingMeta.remaining() < HEADER + length) {
            flushPendingOrGiveUp();
        }
    }

    /** Writes the pending records; when the storage fails, gives them up (counted) and degrades. */
    private void flushPendingOrGiveUp() {
        try {
            flushPending();
        } catch (IOException e) {
            pendingMeta.clear();
            unrecorded += pendingRecords;
            pendingRecords = 0;
            degrade(e);
        }
    }

    /** Fills in the CRC of the record just put in the pending buffer at {@code at}. */
    private void sealPending(int at, int length) {
        crc.reset();
        crc.update(pendingMeta.array(), at + HEADER, length);
        pendingMeta.putInt(at + 4, (int) crc.getValue());
    }

    /** Writes the buffered stage and ACK records (to the operating system; fsync as {@link Fsync} says). */
    @Override
    public void persist() {
        if (failure == null) {
            flushPendingOrGiveUp(); // degraded, the stage and ACK records wait (bounded) for the disk
        }
    }

    /** Segment files now on disk. */
    public int segmentCount() {
        return segments.size();
    }

    @Override
    public void close() {
        if (failure != null && !segments.isEmpty()) {
            tryResume(); // a last chance for what waits in memory
        }
        if (!segments.isEmpty()) {
            try {
                maybeSync(true);
            } catch (IOException e) {
                // closing anyway
            }
        }
        for (Segment s : segments) {
            try {
                s.channel.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        segments.clear();
        try {
            lockChannel.close(); // releases the lock
        } catch (IOException e) {
            // closing anyway
        }
    }

    // ---------------------------------------------------------------- slots

    @Override
    protected void grow(int n) {
        seq = Arrays.copyOf(seq, n);
        cache = Arrays.copyOf(cache, n);
        cached = Arrays.copyOf(cached, n);
        segment = Arrays.copyOf(segment, n);
        offset = Arrays.copyOf(offset, n);
    }

    private void release(int h) {
        if (cached[h]) {
            cached[h] = false;
            cachedBytes -= topicLength[h] + payloadLength[h];
        }
        if (cache[h] != null && cache[h].length > MemoryOutbox.KEEP_BYTES) {
            cache[h] = null;
        }
        segment[h] = null;
        free(h);
    }
}
