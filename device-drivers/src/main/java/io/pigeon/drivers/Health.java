package io.pigeon.drivers;

/** Whether a device works, and if not, why: {@code port /dev/ttyUSB0 disappeared}. */
public record Health(boolean online, String reason) {
    public static final Health ONLINE = new Health(true, "");

    public static Health offline(String reason) {
        return new Health(false, reason);
    }
}
