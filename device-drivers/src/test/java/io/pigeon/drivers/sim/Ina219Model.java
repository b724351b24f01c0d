package io.pigeon.drivers.sim;

/**
 * A simulated INA219 at its power-up configuration (0x399F): a bus voltage and a current through a shunt of
 * known resistance, as its shunt voltage register (10 µV a count, ±320 mV) and bus voltage register (4 mV a
 * count in bits 15-3, conversion ready in bit 1) show them.
 */
public final class Ina219Model implements WordRegisterModel {
    private final double shuntOhms;
    private volatile double busVolts = 12;
    private volatile double amps = 0.5;

    public Ina219Model(double shuntOhms) {
        this.shuntOhms = shuntOhms;
    }

    public void set(double busVolts, double amps) {
        this.busVolts = busVolts;
        this.amps = amps;
    }

    @Override
    public byte[] readBlock(int register, int length) {
        int word = switch (register) {
            case 0 -> 0x399F;
            case 1 -> (int) Math.max(-32000, Math.min(32000, Math.round(amps * shuntOhms / 10e-6))) & 0xFFFF;
            case 2 -> ((int) Math.round(busVolts / 0.004) << 3) | 0x0002;
            default -> 0;
        };
        return new byte[] {(byte) (word >> 8), (byte) word};
    }
}
