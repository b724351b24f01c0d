package io.pigeon.drivers.sysfs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One value a kernel driver exposes as a sysfs file, and how it becomes a reading: the file (or a raw file with
 * its scale and offset, as IIO has them), the factor to the unit published, the reading's name and unit.
 */
record SysfsChannel(String reading, Path file, double factor, double offset, String unit) {
    /** The value in the published unit; an unreadable or unparsable file is an IOException (one failed read). */
    double read() throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
        try {
            return (Double.parseDouble(text) + offset) * factor;
        } catch (NumberFormatException e) {
            throw new IOException(file.getFileName() + " holds '" + (text.length() > 40 ? text.substring(0, 40) : text)
                + "', not a number", e);
        }
    }

    /** A kernel name as a reading name: lower case, [a-z0-9_] only. */
    static String readingName(String text) {
        String s = text.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_|_$", "");
        return s.isEmpty() ? "value" : s;
    }
}
