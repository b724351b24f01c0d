package io.pigeon.drivers.sysfs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Reading sysfs (and /dev) as the drivers and {@code pigeon scan} do: small files, sorted folders, numbered devices. */
public final class Sysfs {
    private Sysfs() {
    }

    /** The first line of a small sysfs file, trimmed, or "" if it cannot be read. */
    public static String line(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            int nl = text.indexOf('\n');
            return (nl < 0 ? text : text.substring(0, nl)).trim();
        } catch (IOException e) {
            return "";
        }
    }

    /** The entries of a folder, sorted by name; none when it does not exist. */
    public static List<Path> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    /**
     * The numbered device folders under {@code dir} ({@code hwmon0}, {@code iio:device1}, ...) in number order, each
     * with the content of its {@code name} file; none when {@code dir} does not exist.
     */
    static Map<Path, String> numbered(Path dir, String prefix) throws IOException {
        Pattern numbered = Pattern.compile(Pattern.quote(prefix) + "\\d+");
        Map<Path, String> out = new LinkedHashMap<>();
        list(dir).stream().filter(p -> numbered.matcher(p.getFileName().toString()).matches())
            .sorted(Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString().substring(prefix.length()))))
            .forEach(p -> out.put(p, line(p.resolve("name"))));
        return out;
    }
}
