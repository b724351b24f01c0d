package io.pigeon.gateway.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/** The strict reader against a corpus nobody here wrote: JSONTestSuite's y_ and n_ parsing cases. */
class JsonReaderTest {
    /**
     * y_ cases refused for a stated limit: duplicate keys, which RFC 8259 §4 allows ("SHOULD be unique") with
     * unpredictable results, and which a command must not have (which "state" would win?).
     */
    private static final Set<String> REFUSED_FOR_A_LIMIT = Set.of("y_object_duplicated_key.json",
        "y_object_duplicated_key_and_value.json");

    @Test
    void everyNCaseIsRefusedAndEveryYCaseAccepted() throws Exception {
        List<String> wronglyAccepted = new ArrayList<>();
        List<String> wronglyRefused = new ArrayList<>();
        int cases = 0;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(
            JsonReaderTest.class.getResourceAsStream("/json-test-suite.txt.gz")), StandardCharsets.US_ASCII))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.startsWith("#")) {
                    continue;
                }
                cases++;
                String name = line.substring(0, line.indexOf(' '));
                byte[] doc = Base64.getDecoder().decode(line.substring(name.length() + 1));
                boolean accepted;
                try {
                    JsonReader.parse(doc);
                    accepted = true;
                } catch (JsonReader.Malformed e) {
                    accepted = false;
                } catch (RuntimeException | StackOverflowError e) {
                    fail(name + ": " + e);
                    return;
                }
                if (name.startsWith("n_") && accepted) {
                    wronglyAccepted.add(name);
                } else if (name.startsWith("y_") && !accepted && !REFUSED_FOR_A_LIMIT.contains(name)) {
                    wronglyRefused.add(name);
                }
            }
        }
        assertEquals(283, cases);
        assertEquals(List.of(), wronglyAccepted, "n_ cases accepted");
        assertEquals(List.of(), wronglyRefused, "y_ cases refused");
    }

    @Test
    void valuesDuplicatesDepthAndWhere() throws Exception {
        assertEquals(Map.of("state", "ON", "for_ms", new BigDecimal("500")),
            JsonReader.parse("{\"state\": \"ON\", \"for_ms\": 500}"));
        JsonReader.Malformed dup = assertThrows(JsonReader.Malformed.class,
            () -> JsonReader.parse("{\"state\":\"ON\",\"state\":\"OFF\"}"));
        assertEquals("duplicate key \"state\" at character 15", dup.getMessage());
        JsonReader.Malformed garbage = assertThrows(JsonReader.Malformed.class,
            () -> JsonReader.parse("{garbage \"state\":\"ON\" garbage}"));
        assertTrue(garbage.getMessage().startsWith("a key (a string) is expected"), garbage.getMessage());
        assertThrows(JsonReader.Malformed.class, () -> JsonReader.parse("{\"state\":\"ON\"} trailing"));
        JsonReader.parse("[".repeat(JsonReader.MAX_DEPTH) + "]".repeat(JsonReader.MAX_DEPTH));
        JsonReader.Malformed deep = assertThrows(JsonReader.Malformed.class,
            () -> JsonReader.parse("[".repeat(JsonReader.MAX_DEPTH + 1) + "]".repeat(JsonReader.MAX_DEPTH + 1)));
        assertTrue(deep.getMessage().startsWith("nested deeper than 32 levels"), deep.getMessage());
        assertThrows(JsonReader.Malformed.class, () -> JsonReader.parse(new byte[] {'"', (byte) 0xC3, '"'}));
    }
}
