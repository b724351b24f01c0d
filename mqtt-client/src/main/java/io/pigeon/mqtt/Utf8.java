package io.pigeon.mqtt;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** MQTT UTF-8 strings (§1.5.3): well-formed, no U+0000, at most 65,535 bytes. */
final class Utf8 {
    static final int MAX_BYTES = 65_535;

    private Utf8() {
    }

    /** Encodes a caller's string, naming {@code what} in the error if it is not a valid MQTT string. */
    static byte[] encode(String s, String what) {
        if (s == null) {
            throw new IllegalArgumentException(what + " must not be null");
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 0) {
                throw new IllegalArgumentException(what + " must not contain U+0000 (at index " + i + ")");
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    throw new IllegalArgumentException(what + " has an unpaired surrogate at index " + i);
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                throw new IllegalArgumentException(what + " has an unpaired surrogate at index " + i);
            }
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > MAX_BYTES) {
            throw new IllegalArgumentException(what + " is " + b.length + " bytes in UTF-8; MQTT allows at most 65535");
        }
        return b;
    }

    /** A strict decoder for strings from the network; one per connection, not thread-safe. */
    static final class Decoder {
        private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);

        String decode(byte[] buf, int off, int len, String what) throws MqttProtocolException {
            boolean ascii = true;
            for (int i = off; i < off + len; i++) {
                byte b = buf[i];
                if (b == 0) {
                    throw new MqttProtocolException(what + " contains U+0000");
                }
                if (b < 0) {
                    ascii = false;
                }
            }
            if (ascii) {
                return new String(buf, off, len, StandardCharsets.ISO_8859_1);
            }
            try {
                CharBuffer chars = decoder.reset().decode(ByteBuffer.wrap(buf, off, len));
                return chars.toString();
            } catch (CharacterCodingException e) {
                throw new MqttProtocolException(what + " is not valid UTF-8");
            }
        }
    }
}
