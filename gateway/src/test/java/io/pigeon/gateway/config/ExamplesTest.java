package io.pigeon.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigeon.drivers.Pi4jPlatform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every ready-made config in examples/ passes what {@code pigeon check} checks, on the mock platform. */
class ExamplesTest {
    private final Pi4jPlatform platform = Pi4jPlatform.of("mock");

    @AfterEach
    void close() {
        platform.close();
    }

    @Test
    void everyExampleIsAValidConfigWithItsWiringNotes() throws Exception {
        Path dir = Path.of("../examples");
        List<Path> examples;
        try (Stream<Path> files = Files.list(dir)) {
            examples = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertEquals(11, examples.size(), "eleven examples: " + examples);
        for (Path example : examples) {
            String text = Files.readString(example);
            assertTrue(text.startsWith("# "), example + " starts with what it is and how it is wired");
            GatewayConfig cfg = new ConfigLoader(Map.of(), platform).load(example);
            assertTrue(!cfg.devices().isEmpty(), example.toString());
            ConfigWarnings.of(cfg); // what check prints; it must not fail either
        }
    }
}
