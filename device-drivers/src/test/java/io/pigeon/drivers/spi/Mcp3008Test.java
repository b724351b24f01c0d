package io.pigeon.drivers.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.pigeon.drivers.Pi4jPlatform;
import io.pigeon.drivers.RecordingContext;
import io.pigeon.drivers.Settings;
import io.pigeon.drivers.SettingsException;
import io.pigeon.drivers.sim.Mcp3008Model;
import io.pigeon.drivers.sim.SimulatedBoard;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The MCP3008 through Pi4J's SPI (mock provider with a chip model), with the datasheet's bit layout as vectors. */
class Mcp3008Test {
    private final SimulatedBoard board = new SimulatedBoard();
    private final Pi4jPlatform platform = board.platform();
    private final RecordingContext ctx = new RecordingContext();

    @AfterEach
    void close() {
        ctx.close();
        board.close();
    }

    @Test
    void requestsAndCodesFollowTheDatasheet() {
        // Figure 6-1 / table 5-2: start bit, then SGL/DIFF=1 and D2-D0 for single-ended CH0 (1000) and CH7 (1111).
        assertArrayEquals(new byte[] {0x01, (byte) 0x80, 0x00}, Mcp3008.request(0, false));
        assertArrayEquals(new byte[] {0x01, (byte) 0xF0, 0x00}, Mcp3008.request(7, false));
        assertArrayEquals(new byte[] {0x01, 0x20, 0x00}, Mcp3008.request(2, true)); // CH2 = IN+, CH3 = IN-
        assertEquals(1023, Mcp3008.code(new byte[] {0x00, 0x03, (byte) 0xFF}));
        assertEquals(512, Mcp3008.code(new byte[] {(byte) 0xFF, (byte) 0xFE, 0x00})); // bits before the code ignored
    }

    @Test
    void readsEachChannelInVolts() throws Exception {
        Mcp3008Model chip = new Mcp3008Model(3.3);
        board.spi(0, 0, chip);
        chip.set(0, 1.65);
        chip.set(5, 3.3);
        Mcp3008 adc = new Mcp3008(Settings.of("pots", Map.of("channels", List.of(0, 5, 7))), platform);
        adc.open(ctx);
        adc.poll(ctx);
        assertEquals(1.65, ctx.next("voltage_0", Duration.ofSeconds(1)).number(), 3.3 / 1024);
        assertEquals(3.2968, ctx.next("voltage_5", Duration.ofSeconds(1)).number(), 1e-9);
        assertEquals(0.0, ctx.next("voltage_7", Duration.ofSeconds(1)).number(), 1e-9);
        assertEquals(3, chip.transfers());
        adc.close();
        assertThrows(SettingsException.class, () -> new Mcp3008(Settings.of("x", Map.of("channels", List.of(8))), platform));
    }
}
