package io.pigeon.drivers.sim;

import io.pigeon.drivers.i2c.Bme280Calibration;
import io.pigeon.drivers.i2c.Bme280;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A simulated BME280 as an I2C register map: chip id, calibration, control registers and raw ADC data.
 * The raw values are found by searching the datasheet's compensation, so the driver reads back what
 * {@link #set} was given, with the sensor's own rounding.
 */
public final class Bme280Model implements I2cModel {
    /** Calibration of a real part (from a BME280 breakout), as the driver meets it in the field. */
    public static final Bme280Calibration TYPICAL = new Bme280Calibration(28485, 26735, 50, 36728, -10529,
        3024, 7647, -69, -7, 9900, -10230, 4285, 75, 370, 0, 313, 50, 30);

    private final Bme280Calibration calibration;
    private final byte[] registers = new byte[256];
    private volatile boolean answering = true;
    /** Status reads left during which the NVM copy after a reset is still running. */
    private int nvmCopyReads;
    private int resets;

    public Bme280Model(Bme280Calibration calibration) {
        this.calibration = calibration;
        byte[][] regs = calibration.toRegisters();
        System.arraycopy(regs[0], 0, registers, Bme280.REG_CALIB_TP, regs[0].length);
        System.arraycopy(regs[1], 0, registers, Bme280.REG_CALIB_H, regs[1].length);
        registers[Bme280.REG_ID] = (byte) Bme280.CHIP_ID;
        // Data registers hold their reset value until a first conversion.
        registers[Bme280.REG_DATA] = (byte) 0x80;
        registers[Bme280.REG_DATA + 3] = (byte) 0x80;
    }

    /** A device that stops answering (loose wire): every access fails until {@code true} again. */
    public void answering(boolean answering) {
        this.answering = answering;
    }

    /** Soft resets seen so far. */
    public synchronized int resets() {
        return resets;
    }

    /** The value last written to a register (ctrl_meas, config, ...). */
    public synchronized int register(int register) {
        return registers[register & 0xFF] & 0xFF;
    }

    /** The conditions the next conversion reports. */
    public synchronized void set(double celsius, double humidity, double hPa) {
        int adcT = search(0, (1 << 20) - 1, t -> calibration.temperature(calibration.tFine(t)) / 100.0, celsius, true);
        int tFine = calibration.tFine(adcT);
        // Pressure falls as the ADC value rises; humidity rises with it.
        int adcP = search(0, (1 << 20) - 1, p -> calibration.pressure(p, tFine) / 25600.0, hPa, false);
        int adcH = search(0, 0xFFFF, h -> calibration.humidity(h, tFine) / 1024.0, humidity, true);
        setRaw(adcT, adcP, adcH);
    }

    /** Raw ADC values for the next conversion, as a sensor outside its range (or a broken one) delivers them. */
    public synchronized void setRaw(int adcT, int adcP, int adcH) {
        registers[Bme280.REG_DATA] = (byte) (adcP >> 12);
        registers[Bme280.REG_DATA + 1] = (byte) (adcP >> 4);
        registers[Bme280.REG_DATA + 2] = (byte) (adcP << 4);
        registers[Bme280.REG_DATA + 3] = (byte) (adcT >> 12);
        registers[Bme280.REG_DATA + 4] = (byte) (adcT >> 4);
        registers[Bme280.REG_DATA + 5] = (byte) (adcT << 4);
        registers[Bme280.REG_DATA + 6] = (byte) (adcH >> 8);
        registers[Bme280.REG_DATA + 7] = (byte) adcH;
    }

    private static int search(int lo, int hi, java.util.function.IntToDoubleFunction f, double target, boolean rising) {
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            double v = f.applyAsDouble(mid);
            if (rising ? v < target : v > target) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private void check() {
        if (!answering) {
            throw new UncheckedIOException(new IOException("Remote I/O error"));
        }
    }

    @Override
    public synchronized int readRegister(int register) {
        check();
        if (register == Bme280.REG_STATUS && nvmCopyReads > 0) {
            nvmCopyReads--;
            return Bme280.STATUS_IM_UPDATE;
        }
        if (register == Bme280.REG_STATUS) {
            return 0;
        }
        return register < 0 ? 0 : registers[register & 0xFF] & 0xFF;
    }

    @Override
    public synchronized void writeRegister(int register, int value) {
        check();
        if (register == Bme280.REG_RESET && value == Bme280.RESET_WORD) {
            // Soft reset: control registers back to 0, and the calibration is copied from NVM for a moment.
            resets++;
            registers[Bme280.REG_CTRL_HUM] = 0;
            registers[Bme280.REG_CTRL_MEAS] = 0;
            registers[Bme280.REG_CONFIG] = 0;
            nvmCopyReads = 2;
            return;
        }
        if (register >= 0) {
            registers[register & 0xFF] = (byte) value;
        }
    }
}
