package io.pigeon.drivers.serial;

import io.pigeon.drivers.Settings;

/**
 * One value read from (or written to) a Modbus slave: a holding (function 3) or input (function 4)
 * register, of a type, scaled to engineering units.
 */
public record ModbusRegister(String name, int address, int function, Type type, boolean wordSwap, double scale,
                             String unit, boolean writable) {
    public enum Type {
        INT16(1), UINT16(1), INT32(2), UINT32(2), FLOAT32(2);

        final int words;

        Type(int words) {
            this.words = words;
        }
    }

    static ModbusRegister from(Settings s) {
        String name = s.requireString("name");
        if (!name.matches("[a-z0-9_]+")) {
            throw s.error("name", "'" + name + "' must be lower-case letters, digits or _");
        }
        int address = s.requireInteger("address", 0, 65_535);
        int function = s.integer("function", 3, 3, 4);
        Type type = Type.valueOf(s.choice("type", "uint16", "int16", "uint16", "int32", "uint32", "float32")
            .toUpperCase(java.util.Locale.ROOT));
        boolean swap = "little".equals(s.choice("word_order", "big", "big", "little"));
        double scale = s.number("scale", 1, -1e9, 1e9);
        if (scale == 0) {
            throw s.error("scale", "must not be 0");
        }
        String unit = s.string("unit", "");
        boolean writable = s.bool("writable", false);
        if (writable && (function != 3 || type.words != 1)) {
            throw s.error("writable", "only 16-bit holding registers (function 3) can be written with function 6");
        }
        s.rejectUnknown();
        return new ModbusRegister(name, address, function, type, swap, scale, unit, writable);
    }

    /** The engineering value of the register words at {@code data[offset]} (big-endian words). */
    public double decode(byte[] data, int offset) {
        int w0 = (data[offset] & 0xFF) << 8 | (data[offset + 1] & 0xFF);
        if (type.words == 1) {
            return scaled(type == Type.INT16 ? (short) w0 : w0);
        }
        int w1 = (data[offset + 2] & 0xFF) << 8 | (data[offset + 3] & 0xFF);
        int bits = wordSwap ? w1 << 16 | w0 : w0 << 16 | w1;
        double raw = switch (type) {
            case INT32 -> bits;
            case UINT32 -> bits & 0xFFFFFFFFL;
            default -> Float.intBitsToFloat(bits);
        };
        if (type != Type.FLOAT32) {
            return scaled((long) raw);
        }
        if (!Double.isFinite(raw)) {
            return raw;
        }
        // At float precision: the float nearest 230.7 is 230.6999969482422 as a double, but "230.7" as a float.
        return new java.math.BigDecimal(Float.toString((float) raw)).multiply(java.math.BigDecimal.valueOf(scale))
            .doubleValue();
    }

    /** raw × scale in decimal, so 2307 × 0.1 is 230.7 and not 230.70000000000002. */
    private double scaled(long raw) {
        return java.math.BigDecimal.valueOf(raw).multiply(java.math.BigDecimal.valueOf(scale)).doubleValue();
    }

    /** The 16-bit raw value for an engineering value, or an exception naming the range. */
    public int encode(double value) {
        long raw = Math.round(value / scale);
        long min = type == Type.INT16 ? Short.MIN_VALUE : 0;
        long max = type == Type.INT16 ? Short.MAX_VALUE : 65_535;
        if (raw < min || raw > max) {
            throw new IllegalArgumentException("value " + value + " is outside " + min * scale + ".." + max * scale
                + " for register '" + name + "'");
        }
        return (int) raw & 0xFFFF;
    }
}
