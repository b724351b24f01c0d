package io.pigeon.mqtt;

import java.util.HexFormat;

final class Bytes {
    private Bytes() {
    }

    /** "30 07 00 03" → bytes; spaces are ignored. */
    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    static String hex(byte[] b, int off, int len) {
        StringBuilder sb = new StringBuilder();
        for (int i = off; i < off + len; i++) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(String.format("%02X", b[i]));
        }
        return sb.toString();
    }

    static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
