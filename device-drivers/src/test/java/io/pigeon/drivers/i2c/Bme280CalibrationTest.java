package io.pigeon.drivers.i2c;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pigeon.drivers.sim.Bme280Model;
import org.junit.jupiter.api.Test;

/** The integer compensation against the datasheet's worked example and its floating-point formulas. */
class Bme280CalibrationTest {
    // The worked example of the Bosch BMP280 datasheet (§3.12), whose T and P formulas the BME280 shares.
    private static final Bme280Calibration EXAMPLE = new Bme280Calibration(27504, 26435, -1000, 36477, -10685,
        3024, 2855, 140, -7, 15500, -14600, 6000, 75, 370, 0, 313, 50, 30);

    @Test
    void temperatureOfTheWorkedExample() {
        int tFine = EXAMPLE.tFine(519888);
        // The datasheet's example shows 128422, from its arithmetic shifts; Bosch's reference driver divides
        // (truncating toward zero), which with the negative dig_T3 here gives one more. We follow the driver.
        assertEquals(128423, tFine);
        assertEquals(2508, EXAMPLE.temperature(tFine)); // 25.08 °C
    }

    @Test
    void pressureOfTheWorkedExample() {
        int tFine = EXAMPLE.tFine(519888);
        long q248 = EXAMPLE.pressure(415148, tFine);
        // The datasheet gives 100653.27 Pa (its floating-point result); the integer code lands within 1/32 Pa.
        assertEquals(100653.27, q248 / 256.0, 0.03);
        assertEquals(pressureDouble(EXAMPLE, 415148, tFine), q248 / 256.0, 0.03);
    }

    /** BMP280 datasheet §8.1, bmp280_compensate_P_double. */
    private static double pressureDouble(Bme280Calibration c, int adcP, int tFine) {
        double var1 = tFine / 2.0 - 64000.0;
        double var2 = var1 * var1 * c.p6() / 32768.0;
        var2 = var2 + var1 * c.p5() * 2.0;
        var2 = var2 / 4.0 + c.p4() * 65536.0;
        var1 = (c.p3() * var1 * var1 / 524288.0 + c.p2() * var1) / 524288.0;
        var1 = (1.0 + var1 / 32768.0) * c.p1();
        double p = 1048576.0 - adcP;
        p = (p - var2 / 4096.0) * 6250.0 / var1;
        var1 = c.p9() * p * p / 2147483648.0;
        var2 = p * c.p8() / 32768.0;
        return p + (var1 + var2 + c.p7()) / 16.0;
    }

    @Test
    void humidityMatchesTheDatasheetsFloatingPointFormula() {
        Bme280Calibration c = Bme280Model.TYPICAL;
        for (int adcT : new int[] {480000, 519888, 560000}) {
            int tFine = c.tFine(adcT);
            for (int adcH : new int[] {20000, 28000, 32000, 40000}) {
                double expected = humidityDouble(c, adcH, tFine);
                assertEquals(expected, c.humidity(adcH, tFine) / 1024.0, 0.05, "adcT=" + adcT + " adcH=" + adcH);
            }
        }
    }

    /** BME280 datasheet §8.1, bme280_compensate_H_double. */
    private static double humidityDouble(Bme280Calibration c, int adcH, int tFine) {
        double h = tFine - 76800.0;
        h = (adcH - (c.h4() * 64.0 + c.h5() / 16384.0 * h)) * (c.h2() / 65536.0
            * (1.0 + c.h6() / 67108864.0 * h * (1.0 + c.h3() / 67108864.0 * h)));
        h = h * (1.0 - c.h1() * h / 524288.0);
        return Math.max(0, Math.min(100, h));
    }

    @Test
    void registerBytesRoundTrip() {
        byte[][] regs = Bme280Model.TYPICAL.toRegisters();
        assertEquals(Bme280Model.TYPICAL, Bme280Calibration.parse(regs[0], regs[1]));
        Bme280Calibration negative = new Bme280Calibration(1, -2, 3, 4, -5, 6, -7, 8, -9, 10, -11, 12, 200, -300,
            100, -200, -100, -50);
        byte[][] n = negative.toRegisters();
        assertEquals(negative, Bme280Calibration.parse(n[0], n[1]));
        assertArrayEquals(n[1], Bme280Calibration.parse(n[0], n[1]).toRegisters()[1]);
    }
}
