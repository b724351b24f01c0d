package io.pigeon.drivers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ValueTest {
    /** A device's text keeps no NUL or control byte: nothing downstream (a log, a consumer) gets one. */
    @Test
    void textValuesKeepNoControlCharacters() {
        assertEquals("ab c", Value.text("a\u0000b\u0007 c\r").text());
        assertEquals("line\u00e9", Value.text("line\u0085\u00e9\u007f").text());
        assertEquals("plain", Value.text("plain").text());
    }
}
