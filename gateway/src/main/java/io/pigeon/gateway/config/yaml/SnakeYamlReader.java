package io.pigeon.gateway.config.yaml;

import io.pigeon.gateway.config.ConfigException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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
 * The {@link YamlReader} on snakeyaml-engine's node level (no object construction, so no tag can make it
 * build a class). Loaded only through {@link YamlLibrary}: the gateway's own loader never sees this class.
 */
public final class SnakeYamlReader implements YamlReader {
    @Override
    public @Nullable Object read(String file, String text, int maxCodePoints, Map<String, Integer> lines)
        throws ConfigException {
        LoadSettings settings = LoadSettings.builder().setLabel(file).setAllowDuplicateKeys(false)
            .setAllowRecursiveKeys(false).setMaxAliasesForCollections(10).setCodePointLimit(maxCodePoints)
            .build();
        try {
            Optional<Node> node = new Compose(settings).composeString(text);
            return node.isEmpty() ? null : new Conversion(file, lines).convert(node.get(), "", 0);
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

    /** One document's nodes into maps, lists and scalars, noting lines as it goes. */
    private record Conversion(String file, Map<String, Integer> lines) {
        @Nullable Object convert(Node node, String path, int depth) throws ConfigException {
            if (depth > MAX_DEPTH) {
                throw new ConfigException(YamlReader.where(file, lines, path) + ": nested too deeply (at most "
                    + MAX_DEPTH + " levels; a self-referencing alias?)");
            }
            node.getStartMark().map(Mark::getLine).ifPresent(l -> lines.putIfAbsent(path, l + 1));
            if (node instanceof MappingNode m) {
                Map<String, Object> out = new LinkedHashMap<>();
                for (NodeTuple t : m.getValue()) {
                    if (!(t.getKeyNode() instanceof ScalarNode k)) {
                        throw new ConfigException(YamlReader.where(file, lines, path) + ": keys must be plain names");
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
            return scalar((ScalarNode) node);
        }
    }

    private static @Nullable Object scalar(ScalarNode s) {
        String v = s.getValue();
        Tag tag = s.getTag();
        if (Tag.NULL.equals(tag)) {
            return null;
        }
        if (Tag.BOOL.equals(tag)) {
            return Boolean.parseBoolean(v.toLowerCase(Locale.ROOT));
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
