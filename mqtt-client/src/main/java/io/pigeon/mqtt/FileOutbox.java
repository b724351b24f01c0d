package io.pigeon.mqtt;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
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

/**
 * A crash-safe outbox on disk: every accepted message is appended to a segment file before
 * {@code publish} returns, and stays there until its PUBACK (or PUBCOMP) is recorded, so after a crash,
 * kill -9 or power loss the client resends everything accepted and unacknowledged, in order.
 *
 * <p>Format: segment files {@code <first sequence, 16 hex digits>.seg} of records
 * {@code [u32 body length][u32 CRC-32C of body][body]}; a DATA body is
 * {@code [1][u64 seq][u8 qos | retain << 2][u16 topic length][topic][payload]}, an ACK body is
 * {@code [2][u64 seq]}, a STAGE body {@code [3][u64 seq][u8 stage][u16 packet id]}: the message was written to
 * the broker with that packet id (stage SENT), or its PUBREC came (RELEASED). A torn or corrupted record ends
 * its segment: what came before it is kept.
 *
 * <p>Stage and ACK records are buffered and written by {@link #persist} (which the client calls before it
 * writes the packets they describe to the socket), with the next DATA record, or at {@link #idle}: so after a
 * crash a message resent is resent with DUP and its original packet id, and a QoS 2 message whose PUBREC came
 * is released, not published again. Acknowledgements not yet written when the process dies make their
 * messages be sent once more: at most the in-flight window of them.
 *
 * <p>Durability: a record reaches the operating system at once (a process crash loses nothing); it
 * reaches the storage by {@code fsync} as {@link Fsync} says. The default, {@link Fsync#interval} of one
 * second, bounds the loss on power failure to about a second while keeping an SD card's writes few and
 * large: many records share one flush (group commit).
 *
 * <p>Space: bounded by {@code maxBytes} of live messages and {@code maxRecords}; a segment is deleted when
 * every message in it is acknowledged, oldest first. A message that stays unacknowledged while newer
 * segments pile up is copied forward, so disk use stays near the bound.
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

    private static final byte DATA = 1;
    private static final byte ACK = 2;
    private static final byte STAGE = 3;
    private static final int STAGE_LENGTH = 1 + 8 + 1 + 2;
    private static final int HEADER = 8;
    private static final int DATA_FIXED = 1 + 8 + 1 + 2;

    private final Path dir;
    private final long maxBytes;
    private final int maxRecords;
    private final long segmentSize;
    private final Fsync fsync;
    private final CRC32C crc = new CRC32C();
    private ByteBuffer writeBuf = ByteBuffer.allocate(4096);
    private final ByteBuffer pendingMeta = ByteBuffer.allocate(4096);
    private byte[] readBuf = new byte[256];

    // Segments, oldest first.
    private final List<Segment> segments = new ArrayList<>();
    private long nextSeq = 1;
    private long lastSync = System.nanoTime();
    private boolean dirty;

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

    private static final class Segment {
        final Path path;
        final FileChannel channel;
        long size;
        int live;

        Segment(Path path, FileChannel channel, long size) {
            this.path = path;
            this.channel = channel;
            this.size = size;
        }
    }

    /**
     * Opens (creating it if needed) the outbox in {@code dir} and recovers what an earlier run left.
     *
     * @throws IOException naming the directory when it cannot be created, read or written
     */
    public FileOutbox(Path dir, long maxBytes, int maxRecords, Fsync fsync) throws IOException {
        super(Integer.MAX_VALUE); // recovery may find more than maxRecords; fits() bounds new ones
        if (maxBytes < 1024 || maxRecords < 1) {
            throw new IllegalArgumentException("outbox limits too small");
        }
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.maxRecords = maxRecords;
        this.segmentSize = Math.max(64 * 1024, Math.min(4L * 1024 * 1024, maxBytes / 8));
        this.fsync = fsync;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IOException("outbox directory " + dir + " cannot be created: " + e, e);
        }
        if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
            throw new IOException("outbox directory " + dir + " is not a writable directory");
        }
        recover();
        if (segments.isEmpty()) {
            newSegment();
        }
    }

    /** Messages found on disk at start, for the log. */
    public long recovered() {
        return recovered;
    }

    /** Torn or corrupted records skipped at start. */
    public long tornRecords() {
        return tornRecords;
    }

    // ---------------------------------------------------------------- recovery

    private void recover() throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.seg")) {
            ds.forEach(files::add);
        }
        files.sort(null);
        Map<Long, Integer> bySeq = new HashMap<>();
        for (Path path : files) {
            FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            Segment seg = new Segment(path, ch, ch.size());
            long good = scan(seg, bySeq);
            if (good < ch.size()) {
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
        }
        relink(order);
        recovered = size;
        reclaim();
    }

    /** Replays one segment into the index; returns the length of its valid prefix. */
    private long scan(Segment seg, Map<Long, Integer> bySeq) throws IOException {
        FileChannel ch = seg.channel;
        long pos = 0;
        long end = seg.size;
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        while (pos + HEADER <= end) {
            header.clear();
            readFully(ch, header, pos);
            int length = header.getInt(0);
            int sum = header.getInt(4);
            if (length < 9 || pos + HEADER + (long) length > end) {
                break;
            }
            ByteBuffer body = ByteBuffer.allocate(length);
            readFully(ch, body, pos + HEADER);
            crc.reset();
            crc.update(body.array(), 0, length);
            if ((int) crc.getValue() != sum) {
                break;
            }
            long s = body.getLong(1);
            nextSeq = Math.max(nextSeq, s + 1);
            if (body.get(0) == DATA && length >= DATA_FIXED) {
                Integer old = bySeq.remove(s);
                if (old != null) {
                    drop(old); // a copy made by compaction: keep the newer one
                }
                int flags = body.get(9) & 7;
                int topicLen = body.getShort(10) & 0xFFFF;
                int payloadLen = length - DATA_FIXED - topicLen;
                if (payloadLen < 0 || (flags & 3) == 3) {
                    break;
                }
                int h = allocate();
                seq[h] = s;
                segment[h] = seg;
                offset[h] = pos + HEADER;
                add(h, flags & 3, (flags & 4) != 0, topicLen, payloadLen);
                bySeq.put(s, h);
            } else if (body.get(0) == STAGE && length == STAGE_LENGTH) {
                Integer h = bySeq.get(s);
                int stage = body.get(9);
                if (h != null && stage >= QUEUED && stage <= RELEASED) {
                    super.setStage(h, stage, body.getShort(10) & 0xFFFF);
                }
            } else if (body.get(0) == ACK && length == 9) {
                Integer h = bySeq.remove(s);
                if (h != null) {
                    drop(h);
                }
            } else {
                break;
            }
            pos += HEADER + length;
        }
        return pos;
    }

    /** Forgets a record found during recovery. */
    private void drop(int h) {
        forget(h);
        release(h);
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

    @Override
    public boolean fits(int topicLen, int payloadLen) {
        return size < maxRecords && bytes + topicLen + payloadLen <= maxBytes;
    }

    @Override
    public int append(byte[] topic, int topicLen, byte[] payload, int payloadOffset, int payloadLen, int qos,
                      boolean retain) {
        if (!fits(topicLen, payloadLen)) {
            return -1;
        }
        long s = nextSeq++;
        int h = allocate();
        try {
            offset[h] = writeData(s, (byte) (qos | (retain ? 4 : 0)), topic, 0, topicLen, payload, payloadOffset, payloadLen);
        } catch (IOException e) {
            release(h);
            throw new UncheckedIOException("outbox write failed in " + dir + ": " + e.getMessage(), e);
        }
        seq[h] = s;
        segment[h] = active();
        int n = topicLen + payloadLen;
        if (cachedBytes + n <= CACHE_BYTES) {
            cache[h] = MemoryOutbox.copy(cache[h], topic, topicLen, payload, payloadOffset, payloadLen);
            cached[h] = true;
            cachedBytes += n;
        }
        add(h, qos, retain, topicLen, payloadLen);
        active().live++;
        return h;
    }

    /**
     * Appends a DATA record to the active segment, preceded by the stage and ACK records waiting (one
     * write call for both); returns the file offset of its body.
     */
    private long writeData(long s, byte flags, byte[] topic, int topicOff, int topicLen, byte[] payload, int payloadOff,
                           int payloadLen) throws IOException {
        int length = DATA_FIXED + topicLen + payloadLen;
        int acks = pendingMeta.position();
        if (active().size + acks + HEADER + length > segmentSize && active().size > 0) {
            newSegment(); // may copy records forward itself, so before this record is built
            acks = pendingMeta.position();
        }
        ByteBuffer b = buffer(acks + HEADER + length);
        b.put(pendingMeta.array(), 0, acks);
        pendingMeta.clear();
        b.putInt(length).putInt(0).put(DATA).putLong(s).put(flags).putShort((short) topicLen)
            .put(topic, topicOff, topicLen).put(payload, payloadOff, payloadLen);
        crc.reset();
        crc.update(b.array(), acks + HEADER, length);
        b.putInt(acks + 4, (int) crc.getValue());
        return write(b) + acks + HEADER;
    }

    /** Writes the stage and ACK records waiting in memory. */
    private void flushPending() throws IOException {
        if (pendingMeta.position() == 0) {
            return;
        }
        ByteBuffer b = buffer(pendingMeta.position());
        b.put(pendingMeta.array(), 0, pendingMeta.position());
        pendingMeta.clear();
        write(b);
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

    /** Writes deferred ACK records and, when the fsync interval has passed, forces them to storage. */
    @Override
    public void idle() {
        try {
            flushPending();
            maybeSync(false);
        } catch (IOException e) {
            throw new UncheckedIOException("outbox write failed in " + dir + ": " + e.getMessage(), e);
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

    private Segment newSegment() throws IOException {
        if (!segments.isEmpty()) {
            maybeSync(true); // also writes the pending ACK records into the old segment
        }
        Path p = dir.resolve(String.format("%016x.seg", nextSeq));
        FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        Segment s = new Segment(p, ch, 0);
        segments.add(s);
        compactIfNeeded();
        return s;
    }

    /** Copies the live records of the oldest segment forward when old segments pile up behind it. */
    private void compactIfNeeded() throws IOException {
        long onDisk = 0;
        for (Segment s : segments) {
            onDisk += s.size;
        }
        if (segments.size() < 3 || onDisk < maxBytes + 2 * segmentSize) {
            return;
        }
        Segment oldest = segments.get(0);
        for (int h = first(); h >= 0; h = next(h)) {
            if (segment[h] == oldest) {
                byte[] d = data(h);
                byte[] copy = Arrays.copyOf(d, topicLength[h] + payloadLength[h]);
                long pos = writeData(seq[h], flags(h), copy, 0, topicLength[h], copy, topicLength[h], payloadLength[h]);
                oldest.live--;
                segment[h] = active();
                offset[h] = pos;
                active().live++;
                if (stage(h) != QUEUED) {
                    bufferStage(h); // the old STAGE record goes with the old segment
                }
            }
        }
        reclaim();
    }

    private void reclaim() {
        while (segments.size() > 1 && segments.get(0).live == 0) {
            Segment s = segments.remove(0);
            try {
                s.channel.close();
                Files.deleteIfExists(s.path);
            } catch (IOException e) {
                // tried; it goes next time
            }
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
     * Records the acknowledgement. The ACK record is written with the next append (or at the next sync,
     * roll-over or close): a crash before that only means the message is sent once more, which at least
     * once allows, and it halves the writes of a busy outbox.
     */
    @Override
    public void remove(int h) {
        try {
            if (pendingMeta.remaining() < HEADER + 9) {
                flushPending();
            }
            int at = pendingMeta.position();
            pendingMeta.putInt(9).putInt(0).put(ACK).putLong(seq[h]);
            sealPending(at, 9);
        } catch (IOException e) {
            throw new UncheckedIOException("outbox write failed in " + dir + ": " + e.getMessage(), e);
        }
        forget(h);
        segment[h].live--;
        release(h);
        reclaim();
    }

    /** Records the new stage; it reaches the file with the next {@link #persist}. */
    @Override
    public void setStage(int h, int stage, int id) {
        super.setStage(h, stage, id);
        try {
            bufferStage(h);
        } catch (IOException e) {
            throw new UncheckedIOException("outbox write failed in " + dir + ": " + e.getMessage(), e);
        }
    }

    private void bufferStage(int h) throws IOException {
        if (pendingMeta.remaining() < HEADER + STAGE_LENGTH) {
            flushPending();
        }
        int at = pendingMeta.position();
        pendingMeta.putInt(STAGE_LENGTH).putInt(0).put(STAGE).putLong(seq[h]).put((byte) stage(h))
            .putShort((short) packetId(h));
        sealPending(at, STAGE_LENGTH);
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
        try {
            flushPending();
        } catch (IOException e) {
            throw new UncheckedIOException("outbox write failed in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Segment files now on disk. */
    public int segmentCount() {
        return segments.size();
    }

    @Override
    public void close() {
        try {
            flushPending();
            maybeSync(true);
        } catch (IOException e) {
            // closing anyway
        }
        for (Segment s : segments) {
            try {
                s.channel.close();
            } catch (IOException e) {
                // closing anyway
            }
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
