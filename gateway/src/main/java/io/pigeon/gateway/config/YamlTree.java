package io.pigeon.gateway.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * A YAML document as plain maps, lists and scalars (strings, longs, doubles, booleans), plus the line of
 * every value by its path ({@code devices[0].baud}), so errors can point at the line to fix.
 */
final class YamlTree {
    final @Nullable Object root;
    private final Map<String, Integer> lines = new HashMap<>();
    private final String file;

    /** Deeper than this, a config is not one a person wrote (and a self-referencing alias never ends). */
    static final int MAX_DEPTH = 32;

    private YamlTree(String file, @Nullable Node node) throws ConfigException {
        this.file = file;
        this.root = node == null ? null : convert(node, "", 0);
    }

    static YamlTree parse(String file, String text) throws ConfigException {
        LoadSettings settings = LoadSettings.builder().setLabel(file).setAllowDuplicateKeys(false)
            .setAllowRecursiveKeys(false).setMaxAliasesForCollections(10).setCodePointLimit(ConfigLoader.MAX_BYTES)
            .build();
        try {
            Optional<Node> node = new Compose(settings).composeString(text);
            return new YamlTree(file, node.orElse(null));
        } catch (StackOverflowError e) {
            // The YAML library composes nested collections by recursion: a hostile file must be an error, not a crash.
            throw new ConfigException(file + ": nested too deeply (at most " + MAX_DEPTH + " levels)");
        } catch (MarkedYamlEngineException e) {
            int line = e.getProblemMark().map(m -> m.getLine() + 1).orElse(0);
            throw new ConfigException(file + ":" + line + ": YAML syntax error: " + e.getProblem());
        } catch (YamlEngineException e) {
            throw new ConfigException(file + ": YAML error: " + e.getMessage());
        }
    }

    /** "pigeon.yaml:12" for a path, or just the file name when the path has no line. */
    String where(String path) {
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

    private @Nullable Object convert(Node node, String path, int depth) throws ConfigException {
        if (depth > MAX_DEPTH) {
            throw new ConfigException(where(path) + ": nested too deeply (at most " + MAX_DEPTH
                + " levels; a self-referencing alias?)");
        }
        node.getStartMark().map(Mark::getLine).ifPresent(l -> lines.putIfAbsent(path, l + 1));
        if (node instanceof MappingNode m) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (NodeTuple t : m.getValue()) {
                if (!(t.getKeyNode() instanceof ScalarNode k)) {
                    throw new ConfigException(where(path) + ": keys must be plain names");
                }
                String key = k.getValue();
                String sub = path.isEmpty() ? key : path + "." + key;
                if (out.containsKey(key)) {
                    // (the low-level parser does not check this: a second 'devices:' would replace the first)
                    throw new ConfigException(file + ":" + k.getStartMark().map(mark -> mark.getLine() + 1).orElse(0)
                        + ": '" + key + "' appears twice" + (path.isEmpty() ? "" : " in '" + path + "'")
                        + ": keep one");
                }
                k.getStartMark().ifPresent(mark -> lines.put(sub, mark.getLine() + 1));
                out.put(key, convert(t.getValueNode(), sub, depth + 1));
            }
            return out;
        }
        if (node instanceof SequenceNode s) {
            List<Object> out = new ArrayList<>();
            int i = 0;
            for (Node item : s.getValue()) {
                out.add(convert(item, path + "[" + i++ + "]", depth + 1));
            }
            return out;
        }
        ScalarNode s = (ScalarNode) node;
        String v = s.getValue();
        Tag tag = s.getTag();
        if (Tag.NULL.equals(tag)) {
            return null;
        }
        if (Tag.BOOL.equals(tag)) {
            return Boolean.parseBoolean(v.toLowerCase(java.util.Locale.ROOT));
        }
        if (Tag.INT.equals(tag)) {
            try {
                String t = v.replace("_", "");
                return t.startsWith("0x") ? Long.parseLong(t.substring(2), 16) : Long.parseLong(t);
            } catch (NumberFormatException e) {
                return v;
            }
        }
        if (Tag.FLOAT.equals(tag)) {
            try {
                return Double.parseDouble(v);
            } catch (NumberFormatException e) {
                return v;
            }
        }
        return v;
    }
}
