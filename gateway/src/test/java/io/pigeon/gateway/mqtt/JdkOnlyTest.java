package io.pigeon.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The MQTT client depends on the JDK alone: no other package of Pigeon, no library. */
class JdkOnlyTest {
    private static final Pattern IMPORT = Pattern.compile("^import\\s+(static\\s+)?([\\w.]+)", Pattern.MULTILINE);
    private static final Pattern QUALIFIED = Pattern.compile("\\b(io\\.pigeon\\.[\\w.]+|org\\.[a-z]\\w*\\.|com\\.[a-z]\\w*\\.)");

    @Test
    void mqttPackageImportsOnlyTheJdk() throws IOException {
        Path dir = Path.of("src/main/java/io/pigeon/gateway/mqtt");
        assertTrue(Files.isDirectory(dir), "run from the gateway module: " + dir.toAbsolutePath());
        List<Path> sources;
        try (Stream<Path> files = Files.list(dir)) {
            sources = files.filter(p -> p.toString().endsWith(".java")).toList();
        }
        assertTrue(sources.size() > 5);
        for (Path source : sources) {
            String text = Files.readString(source);
            Matcher m = IMPORT.matcher(text);
            while (m.find()) {
                String name = m.group(2);
                assertTrue(name.startsWith("java.") || name.startsWith("javax.net.") || name.startsWith("javax.security.")
                    || name.startsWith("jdk.net."),
                    source.getFileName() + " imports " + name);
            }
            Matcher q = QUALIFIED.matcher(text.replaceAll("(?m)^package .*$", ""));
            while (q.find()) {
                assertEquals("io.pigeon.gateway.mqtt", q.group(1).replaceAll("\\.[A-Z].*$", ""),
                    source.getFileName() + " names " + q.group(1));
            }
        }
    }
}
