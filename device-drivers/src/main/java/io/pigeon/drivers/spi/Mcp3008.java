package io.pigeon.drivers.spi;

import com.pi4j.io.spi.Spi;
import io.pigeon.drivers.Device;
import io.pigeon.drivers.DeviceContext;
import io.pigeon.drivers.DeviceException;
import io.pigeon.drivers.DeviceKind;
import io.pigeon.drivers.NamedDevice;
import io.pigeon.drivers.Pi4jPlatform;
import io.pigeon.drivers.Settings;
import io.pigeon.drivers.Value;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Microchip MCP3008: an 8-channel 10-bit ADC on SPI ({@code /dev/spidev<bus>.<chip_select>}; enable SPI with
 * {@code raspi-config nonint do_spi 0}). Each of {@code channels} (0-7) is one 3-byte transfer: start bit, single-
 * ended (or {@code differential}) and the channel number, then the 10-bit result in the last 10 bits (datasheet
 * figure 6-1 and table 5-2), scaled by {@code vref} (default 3.3 V) / 1024. Readings {@code voltage_N}, in V.
 */
public final class Mcp3008 extends NamedDevice implements Device.Polled {
    private final Pi4jPlatform platform;
    private final int bus;
    private final int chipSelect;
    private final int hz;
    private final double vref;
    private final boolean differential;
    private final List<Integer> channels;
    private @Nullable Spi spi;

    public Mcp3008(Settings s, Pi4jPlatform platform) {
        super(s, DeviceKind.SENSOR);
        this.platform = platform;
        this.bus = s.integer("bus", 0, 0, 6);
        this.chipSelect = s.integer("chip_select", 0, 0, 1);
        this.hz = s.integer("speed_hz", 1_000_000, 10_000, 3_600_000);
        this.vref = s.number("vref", 3.3, 0.25, 5.5);
        this.differential = s.bool("differential", false);
        List<Integer> list = new ArrayList<>();
        for (Object o : s.list("channels")) {
            int c;
            try {
                c = Integer.parseInt(String.valueOf(o).trim());
            } catch (NumberFormatException e) {
                c = -1;
            }
            if (c < 0 || c > 7) {
                throw s.error("channels", "'" + o + "' is not a channel: 0 to 7");
            }
            list.add(c);
        }
        this.channels = list.isEmpty() ? List.of(0) : List.copyOf(list);
    }

    /** The three bytes that ask for a conversion of {@code channel}: start bit, then SGL/DIFF and D2-D0. */
    static byte[] request(int channel, boolean differential) {
        return new byte[] {0x01, (byte) ((differential ? 0x00 : 0x80) | (channel << 4)), 0x00};
    }

    /** The 10-bit code in the answer's last two bytes. */
    static int code(byte[] answer) {
        return ((answer[1] & 0x03) << 8) | (answer[2] & 0xFF);
    }

    @Override
    public void open(DeviceContext ctx) throws DeviceException {
        try {
            spi = platform.spi(name, bus, chipSelect, hz);
        } catch (RuntimeException e) {
            close();
            throw new DeviceException("SPI " + bus + "." + chipSelect + " cannot be opened: " + e.getMessage()
                + " (is SPI enabled? raspi-config nonint do_spi 0)", e);
        }
    }

    @Override
    public void poll(DeviceContext ctx) throws DeviceException {
        Spi s = spi;
        if (s == null) {
            throw new DeviceException("not open");
        }
        for (int channel : channels) {
            byte[] answer = new byte[3];
            try {
                s.transfer(request(channel, differential), 0, answer, 0, 3);
            } catch (RuntimeException e) {
                throw new DeviceException("SPI transfer failed: " + e.getMessage(), e);
            }
            double volts = Value.round(code(answer) * vref / 1024, 4);
            ctx.reading("voltage_" + channel, Value.number(volts, "V"));
        }
    }

    @Override
    public void close() {
        if (spi != null) {
            spi = null;
            platform.release(name);
        }
    }
}
