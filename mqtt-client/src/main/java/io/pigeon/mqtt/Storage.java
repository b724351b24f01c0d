package io.pigeon.mqtt;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * How {@link FileOutbox} reaches its segment files: the file system itself, or (in tests) a recorder of every
 * write and fsync, to replay what a power cut would leave.
 */
interface Storage {
    Storage FILES = new Storage() {
    };

    /** Opens a segment for reading and writing; {@code create} makes a new file and fails if it exists. */
    default FileChannel open(Path segment, boolean create) throws IOException {
        return create
            ? FileChannel.open(segment, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE)
            : FileChannel.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    default void delete(Path segment) throws IOException {
        Files.deleteIfExists(segment);
    }

    /** Makes the directory's entries (files created or deleted) durable. */
    default void syncDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }
}
