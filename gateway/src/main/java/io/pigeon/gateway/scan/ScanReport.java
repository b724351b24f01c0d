package io.pigeon.gateway.scan;

import io.pigeon.gateway.json.Json;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What {@code pigeon scan} found, section by section, with a config entry to paste for each thing a driver can
 * read; as text for a person or JSON for a tool. A section that could not be read says why instead.
 */
public final class ScanReport {
    /** One thing found: its section, a short description, and the YAML device entry (or a commented hint). */
    public record Found(String section, String what, @Nullable String entry) {
    }

    private final List<Found> found = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final Set<String> names = new LinkedHashSet<>();

    void add(String section, String what, @Nullable String entry) {
        found.add(new Found(section, what, entry));
    }

    /** A section that could not be read, or an empty one: said once, in words. */
    void note(String text) {
        notes.add(text);
    }

    /** A device name not used yet in this report: {@code base}, {@code base_2}, ... */
    String uniqueName(String base) {
        String clean = base.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_-]+", "_").replaceAll("^_+|_+$", "");
        String name = clean.isEmpty() ? "device" : clean;
        for (int i = 2; !names.add(name); i++) {
            name = (clean.isEmpty() ? "device" : clean) + "_" + i;
        }
        return name;
    }

    public List<Found> found() {
        return List.copyOf(found);
    }

    public List<String> notes() {
        return List.copyOf(notes);
    }

    /** The device entries, ready to go under {@code devices:} in a config. */
    public String yaml() {
        StringBuilder sb = new StringBuilder("devices:\n");
        for (Found f : found) {
            if (f.entry() != null) {
                sb.append("  ").append(f.entry()).append('\n');
            }
        }
        return sb.toString();
    }

    public String text() {
        StringBuilder sb = new StringBuilder();
        String section = null;
        for (Found f : found) {
            if (!f.section().equals(section)) {
                section = f.section();
                sb.append(section).append(":\n");
            }
            sb.append("  ").append(f.what()).append('\n');
        }
        if (found.isEmpty()) {
            sb.append("nothing found\n");
        }
        for (String n : notes) {
            sb.append("note: ").append(n).append('\n');
        }
        sb.append("\n# Ready to paste into pigeon.yaml (check it with: pigeon check):\n").append(yaml());
        return sb.toString();
    }

    public String json() {
        StringBuilder items = new StringBuilder("[");
        for (Found f : found) {
            if (items.length() > 1) {
                items.append(',');
            }
            items.append(new Json().put("section", f.section()).put("what", f.what()).put("entry", f.entry()));
        }
        StringBuilder noteList = new StringBuilder("[");
        for (String n : notes) {
            if (noteList.length() > 1) {
                noteList.append(',');
            }
            Json.string(noteList, n);
        }
        return new Json().raw("found", items.append(']').toString()).raw("notes", noteList.append(']').toString())
            .put("yaml", yaml()).toString();
    }
}
