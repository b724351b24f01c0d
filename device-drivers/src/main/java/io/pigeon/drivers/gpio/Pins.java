package io.pigeon.drivers.gpio;

import io.pigeon.drivers.Settings;

final class Pins {
    private Pins() {
    }

    /** A BCM pin number: 0..27 on the 40-pin header (up to 53 on compute modules). */
    static int bcm(Settings s) {
        return s.requireInteger("pin", 0, 53);
    }
}
