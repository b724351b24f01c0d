package io.pigeon.sim;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * Simulators share a laptop: before, every instance used $TMPDIR/pigeon-sim, so a second demo (or the tests
 * run beside one) deleted the first one's ptys and its serial devices stayed offline for good.
 */
class SimulationFolderTest {
    private static final String SCENARIO = """
        seed: 1
        devices:
          - {name: climate, type: serial-line}
        """;

    @Test
    void eachInstanceHasItsOwnFolderRemovedWhenItCloses() throws Exception {
        Simulation first = Simulation.fromScenario(SCENARIO, null);
        Simulation second = Simulation.fromScenario(SCENARIO, null);
        try {
            assertNotEquals(first.dir(), second.dir());
            assertTrue(Files.exists(first.dir().resolve("ttyCLIMATE")));
            first.close();
            assertFalse(Files.exists(first.dir()), "removed at close");
            assertTrue(Files.exists(second.dir().resolve("ttyCLIMATE")), "the other instance's pty is untouched");
        } finally {
            first.close();
            second.close();
        }
        assertFalse(Files.exists(second.dir()));
    }
}
