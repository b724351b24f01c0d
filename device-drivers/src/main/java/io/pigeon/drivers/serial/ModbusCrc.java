package io.pigeon.drivers.serial;

/** Modbus RTU CRC-16 (polynomial 0xA001 reflected, initial 0xFFFF), sent low byte first. */
public final class ModbusCrc {
    private ModbusCrc() {
    }

    public static int crc(byte[] data, int offset, int length) {
        int crc = 0xFFFF;
        for (int i = offset; i < offset + length; i++) {
            crc ^= data[i] & 0xFF;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0xA001 : crc >>> 1;
            }
        }
        return crc;
    }

    /** {@code frame} with its CRC appended. */
    public static byte[] append(byte[] frame) {
        byte[] out = java.util.Arrays.copyOf(frame, frame.length + 2);
        int crc = crc(frame, 0, frame.length);
        out[frame.length] = (byte) crc;
        out[frame.length + 1] = (byte) (crc >>> 8);
        return out;
    }

    /** Whether the last two bytes of {@code frame[0, length)} are the CRC of the rest. */
    public static boolean valid(byte[] frame, int length) {
        if (length < 4) {
            return false;
        }
        int crc = crc(frame, 0, length - 2);
        return (frame[length - 2] & 0xFF) == (crc & 0xFF) && (frame[length - 1] & 0xFF) == (crc >>> 8);
    }
}
