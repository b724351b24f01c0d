package io.pigeon.drivers.i2c;

/**
 * The CRC-8 that Sensirion's SHT3x/SHT4x and Aosong's AHT20 put after each data word: polynomial 0x31
 * (x^8 + x^5 + x^4 + 1), initial value 0xFF, no reflection, no final XOR. Datasheet example: 0xBEEF gives 0x92.
 */
final class SensirionCrc {
    private SensirionCrc() {
    }

    static int crc8(byte[] data, int offset, int length) {
        int crc = 0xFF;
        for (int i = offset; i < offset + length; i++) {
            crc ^= data[i] & 0xFF;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 0x80) != 0 ? ((crc << 1) ^ 0x31) & 0xFF : (crc << 1) & 0xFF;
            }
        }
        return crc;
    }

    /** The 16-bit word at {@code offset} if the CRC byte after it matches, else -1. */
    static int word(byte[] data, int offset) {
        int w = ((data[offset] & 0xFF) << 8) | (data[offset + 1] & 0xFF);
        return crc8(data, offset, 2) == (data[offset + 2] & 0xFF) ? w : -1;
    }
}
