package io.pigeon.drivers.i2c;

import io.pigeon.drivers.DeviceContext;
import io.pigeon.drivers.DeviceException;
import io.pigeon.drivers.Pi4jPlatform;
import io.pigeon.drivers.Settings;
import io.pigeon.drivers.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * TI ADS1115 (16 bits) and ADS1015 (12 bits) analog-to-digital converters (I2C 0x48-0x4B), read in single-shot
 * mode: for each of {@code inputs} ({@code "0"} to {@code "3"} against ground, or the pairs {@code "0-1"},
 * {@code "0-3"}, {@code "1-3"}, {@code "2-3"}), a conversion is started in the config register (datasheet 8.6.3:
 * OS, MUX, PGA, MODE, DR, comparator off), waited for, and the conversion register read and scaled by the
 * full-scale range {@code gain} (6.144, 4.096, 2.048, 1.024, 0.512 or 0.256 V) to volts. Readings
 * {@code voltage_0} ... or {@code voltage_0_1} for a pair, in V.
 */
public final class Ads1x15 extends I2cSensor {
    private static final double[] RANGES = {6.144, 4.096, 2.048, 1.024, 0.512, 0.256};
    private static final int[] RATES_1115 = {8, 16, 32, 64, 128, 250, 475, 860};
    private static final int[] RATES_1015 = {128, 250, 490, 920, 1600, 2400, 3300};
    private static final List<String> MUX = List.of("0-1", "0-3", "1-3", "2-3", "0", "1", "2", "3");

    private final boolean twelveBits;
    private final int pga;
    private final double fullScale;
    private final int dataRateBits;
    private final long conversionMicros;
    private final List<String> inputs;

    public Ads1x15(Settings s, Pi4jPlatform platform) {
        super(s, platform, 0x48, 0x4B);
        this.twelveBits = s.choice("chip", "ads1115", "ads1115", "ads1015").equals("ads1015");
        double gain = s.number("gain", 4.096, 0.256, 6.144);
        int p = indexOf(RANGES, gain);
        if (p < 0) {
            throw s.error("gain", "the full-scale range in volts: one of 6.144, 4.096, 2.048, 1.024, 0.512, 0.256");
        }
        this.pga = p;
        this.fullScale = gain;
        int[] rates = twelveBits ? RATES_1015 : RATES_1115;
        int rate = s.integer("data_rate", twelveBits ? 1600 : 128, 8, 3300);
        int r = -1;
        for (int i = 0; i < rates.length; i++) {
            r = rates[i] == rate ? i : r;
        }
        if (r < 0) {
            throw s.error("data_rate", "samples per second of an " + (twelveBits ? "ADS1015" : "ADS1115") + ": one of "
                + java.util.Arrays.toString(rates));
        }
        this.dataRateBits = r;
        this.conversionMicros = 1_000_000L / rate + 500; // one conversion, plus the oscillator's 10 % and wake-up
        List<String> in = new ArrayList<>();
        for (Object o : s.list("inputs")) {
            String input = String.valueOf(o).trim();
            if (!MUX.contains(input)) {
                throw s.error("inputs", "'" + input + "' is not an input: 0, 1, 2, 3 (against ground) or the pairs "
                    + "0-1, 0-3, 1-3, 2-3");
            }
            in.add(input);
        }
        this.inputs = in.isEmpty() ? List.of("0") : List.copyOf(in);
    }

    private static int indexOf(double[] values, double v) {
        for (int i = 0; i < values.length; i++) {
            if (Math.abs(values[i] - v) < 1e-9) {
                return i;
            }
        }
        return -1;
    }

    /** The config word that starts one single-shot conversion of {@code input}. */
    int config(String input) {
        return 0x8000 | MUX.indexOf(input) << 12 | pga << 9 | 0x0100 | dataRateBits << 5 | 0x0003;
    }

    @Override
    public void poll(DeviceContext ctx) throws DeviceException {
        for (String input : inputs) {
            int c = config(input);
            byte[] b = new byte[2];
            try {
                i2c.writeRegister(0x01, new byte[] {(byte) (c >> 8), (byte) c});
                pause((conversionMicros + 999) / 1000);
                i2c.readRegister(0x00, b, 0, 2);
            } catch (RuntimeException e) {
                throw new DeviceException("I2C access failed: " + message(e), e);
            }
            short raw = (short) (((b[0] & 0xFF) << 8) | (b[1] & 0xFF));
            if (raw == Short.MIN_VALUE || raw == (twelveBits ? 0x7FF0 : Short.MAX_VALUE)) {
                ctx.count("over_range"); // clipped at the range's end (datasheet 9.3.3): published, and counted
            }
            ctx.reading("voltage_" + input.replace('-', '_'), Value.number(volts(raw, fullScale, twelveBits), "V"));
        }
    }

    /** The conversion register as volts: ADS1115 16 bits over ±full scale; ADS1015 12 bits, left-justified. */
    static double volts(short raw, double fullScale, boolean twelveBits) {
        return Value.round(twelveBits ? (raw >> 4) * fullScale / 2048 : raw * fullScale / 32768, 6);
    }
}
