package io.pigeon.drivers.gpio;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Which hardware PWM channel drives a BCM pin, and which {@code /sys/class/pwm/pwmchipN} is the header's PWM.
 *
 * <ul>
 * <li>Pi 1-4 (BCM2835/2837/2711): the PWM block has two channels; GPIO 12 and 18 carry PWM0 (channel 0),
 *     GPIO 13 and 19 carry PWM1 (channel 1). {@code dtoverlay=pwm-2chan} enables both on GPIO 18 and 19;
 *     {@code dtoverlay=pwm-2chan,pin=12,func=4,pin2=13,func2=4} moves them to 12 and 13 (the "pwm" and
 *     "pwm-2chan" entries of the firmware's overlays README). The chip is the SoC's PWM at {@code *20c000.pwm}.</li>
 * <li>Pi 5 (RP1): PWM0 has four channels on the header, GPIO 12 → 0, 13 → 1, 18 → 2, 19 → 3 (RP1 peripherals
 *     datasheet, GPIO function table, alternate function a0/a3); {@code dtoverlay=pwm-2chan} enables 18 and 19
 *     there too. The chip is RP1's PWM0 at {@code 1f00098000.pwm}; RP1's PWM1 drives the fan.</li>
 * </ul>
 */
public final class PwmPins {
    private PwmPins() {
    }

    /** The PWM channel for a BCM pin, or empty when the pin has no hardware PWM. */
    public static OptionalInt channel(boolean pi5, int bcm) {
        return switch (bcm) {
            case 12 -> OptionalInt.of(0);
            case 13 -> OptionalInt.of(1);
            case 18 -> OptionalInt.of(pi5 ? 2 : 0);
            case 19 -> OptionalInt.of(pi5 ? 3 : 1);
            default -> OptionalInt.empty();
        };
    }

    /**
     * The pwmchip number of the header's PWM under {@code sysClassPwm} ({@code /sys/class/pwm}), judged by the
     * platform device each chip links to; empty when none is there (no PWM overlay enabled).
     */
    public static OptionalInt detectChip(Path sysClassPwm, boolean pi5) {
        String suffix = pi5 ? "1f00098000.pwm" : "20c000.pwm";
        List<Integer> chips = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(sysClassPwm, "pwmchip*")) {
            for (Path chip : dir) {
                int n;
                try {
                    n = Integer.parseInt(chip.getFileName().toString().substring("pwmchip".length()));
                } catch (NumberFormatException e) {
                    continue;
                }
                if (device(chip).map(d -> d.endsWith(suffix)).orElse(false)) {
                    return OptionalInt.of(n);
                }
                chips.add(n);
            }
        } catch (IOException e) {
            return OptionalInt.empty();
        }
        // A Pi 1-4 whose PWM device is named otherwise, with a single PWM chip: that one. (On a Pi 5 a single
        // chip is the fan's.)
        return !pi5 && chips.size() == 1 ? OptionalInt.of(chips.get(0)) : OptionalInt.empty();
    }

    private static Optional<String> device(Path chip) {
        try {
            return Optional.of(chip.resolve("device").toRealPath().getFileName().toString());
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
