package io.pigeon.gateway.config;

import io.pigeon.gateway.config.yaml.YamlLibrary;
import io.pigeon.gateway.config.yaml.YamlReader;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A YAML document as plain maps, lists and scalars (strings, longs, doubles, booleans), plus the line of
 * every value by its path ({@code devices[0].baud}), so errors can point at the line to fix.
 */
final class YamlTree {
    final @Nullable Object root;
    private final Map<String, Integer> lines;
    private final String file;

    private YamlTree(String file, @Nullable Object root, Map<String, Integer> lines) {
        this.file = file;
        this.root = root;
        this.lines = lines;
    }

    /** Read by a YAML library loaded for this one document (see {@link YamlLibrary}). */
    static YamlTree parse(String file, String text) throws ConfigException {
        Map<String, Integer> lines = new HashMap<>();
        Object root = YamlLibrary.reader().read(file, text, ConfigLoader.MAX_BYTES, lines);
        return new YamlTree(file, root, lines);
    }

    /** "pigeon.yaml:12" for a path, or just the file name when the path has no line. */
    String where(String path) {
        return YamlReader.where(file, lines, path);
    }
}
