package io.pigeon.gateway.config.yaml;

import io.pigeon.gateway.config.ConfigException;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Reads a YAML document into plain maps, lists and scalars (strings, longs, doubles, booleans), and notes the
 * line of every value by its path ({@code devices[0].baud}), so that errors can point at the line to fix.
 * Only JDK types and this package's interface cross it: the YAML library behind it lives in a class loader
 * of its own ({@link YamlLibrary}).
 */
public interface YamlReader {
    /** Deeper than this, a config is not one a person wrote (and a self-referencing alias never ends). */
    int MAX_DEPTH = 32;

    /** The document (null if empty); {@code lines} gets the line of every path read. */
    @Nullable Object read(String file, String text, int maxCodePoints, Map<String, Integer> lines)
        throws ConfigException;

    /** "pigeon.yaml:12" for a path, or just the file name when neither the path nor any parent has a line. */
    static String where(String file, Map<String, Integer> lines, String path) {
        // A missing key has no line: point at the nearest enclosing one that exists.
        String p = path;
        while (true) {
            Integer line = lines.get(p);
            if (line != null) {
                return file + ":" + line;
            }
            int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
            if (cut <= 0) {
                return file;
            }
            p = p.substring(0, cut);
        }
    }
}
