package io.pigeon.drivers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pi4j.io.pwm.Pwm;
import io.pigeon.drivers.gpio.PwmOutput;
import io.pigeon.drivers.gpio.PwmPins;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Pi4jPlatformTest {
    private static final Optional<String> PI4 = Optional.of("Raspberry Pi 4 Model B Rev 1.4");
    private static final Optional<String> PI5 = Optional.of("Raspberry Pi 5 Model B Rev 1.0");

    @TempDir
    Path sys;

    @Test
    void raspberrypiRefusesToStartOffAPiAndAutoSaysItFellBack() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> Pi4jPlatform.of("raspberrypi", null, Optional.empty(), sys));
        assertEquals("this is not a Raspberry Pi (/proc/device-tree/model is missing); use 'auto' or 'mock' here",
            e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
            () -> Pi4jPlatform.of("raspberrypi", null, Optional.of("Pine64 RockPro64"), sys));
        assertTrue(e.getMessage().contains("the board is 'Pine64 RockPro64'"), e.getMessage());

        Pi4jPlatform auto = Pi4jPlatform.of("auto", null, Optional.empty(), sys);
        assertEquals(Pi4jPlatform.Kind.MOCK, auto.kind());
        assertTrue(auto.fellBack());
        assertTrue(auto.describe().startsWith("mock on a board that is not a Raspberry Pi; Pi4J providers "
            + "mock-digital-input"), auto.describe());
        assertFalse(Pi4jPlatform.of("mock", null, Optional.empty(), sys).fellBack(), "asked for: no warning");

        Pi4jPlatform pi = Pi4jPlatform.of("auto", null, PI4, sys);
        assertEquals(Pi4jPlatform.Kind.RASPBERRYPI, pi.kind());
        assertFalse(pi.fellBack());
        assertTrue(pi.describe().contains("'Raspberry Pi 4 Model B Rev 1.4'; Pi4J providers gpiod-digital-input"),
            pi.describe());
        assertTrue(pi.describe().contains("hardware PWM not found"), pi.describe());
    }

    @Test
    void theModelStringLosesItsTrailingNul() throws Exception {
        Path model = sys.resolve("model");
        Files.writeString(model, "Raspberry Pi 5 Model B Rev 1.0\u0000");
        assertEquals(PI5, Pi4jPlatform.boardModel(model));
        assertEquals(Optional.empty(), Pi4jPlatform.boardModel(sys.resolve("none")));
    }

    @Test
    void bcmPinsMapToThePwmChannelOfTheirBoard() {
        assertEquals(OptionalInt.of(0), PwmPins.channel(false, 18));
        assertEquals(OptionalInt.of(0), PwmPins.channel(false, 12));
        assertEquals(OptionalInt.of(1), PwmPins.channel(false, 19));
        assertEquals(OptionalInt.of(1), PwmPins.channel(false, 13));
        assertEquals(OptionalInt.of(0), PwmPins.channel(true, 12));
        assertEquals(OptionalInt.of(1), PwmPins.channel(true, 13));
        assertEquals(OptionalInt.of(2), PwmPins.channel(true, 18));
        assertEquals(OptionalInt.of(3), PwmPins.channel(true, 19));
        assertEquals(OptionalInt.empty(), PwmPins.channel(false, 17));
    }

    private Path chip(int n, String device) throws Exception {
        Path devices = Files.createDirectories(sys.resolve("devices/platform/" + device));
        Path chip = Files.createDirectories(sys.resolve("class/pwm/pwmchip" + n));
        Files.createSymbolicLink(chip.resolve("device"), devices);
        return chip;
    }

    @Test
    void thePwmChipIsFoundInSysfsByItsDevice() throws Exception {
        Path pwm = sys.resolve("class/pwm");
        Files.createDirectories(pwm);
        assertEquals(OptionalInt.empty(), PwmPins.detectChip(pwm, false), "no overlay: none");
        chip(0, "1f0009c000.pwm");                    // a Pi 5's fan PWM
        assertEquals(OptionalInt.empty(), PwmPins.detectChip(pwm, true), "the fan's chip is never taken");
        chip(2, "1f00098000.pwm");                    // RP1 PWM0, with dtoverlay=pwm-2chan
        assertEquals(OptionalInt.of(2), PwmPins.detectChip(pwm, true));
        assertEquals(2, Pi4jPlatform.of("raspberrypi", null, PI5, pwm).pwmChip());
        assertEquals(0, Pi4jPlatform.of("raspberrypi", 0, PI5, pwm).pwmChip(), "pwm_chip set: as set");
    }

    @Test
    void aPi4FindsTheSocPwm() throws Exception {
        Path pwm = sys.resolve("class/pwm");
        chip(0, "fe20c000.pwm");
        assertEquals(OptionalInt.of(0), PwmPins.detectChip(pwm, false));
    }

    @Test
    void aPwmDeviceOnPin18UsesChannel0AndAPinWithoutPwmIsRefused() throws Exception {
        try (Pi4jPlatform mock = Pi4jPlatform.of("mock");
             RecordingContext ctx = new RecordingContext()) {
            PwmOutput fan = new PwmOutput(Settings.of("fan", Map.of("pin", 18)), mock);
            fan.open(ctx);
            Pwm io = mock.context().registry().get(Pi4jPlatform.ioId("fan"));
            assertEquals(0, io.address(), "before: channel 18, which no Pi has");
            fan.close();
            SettingsException e = assertThrows(SettingsException.class,
                () -> new PwmOutput(Settings.of("fan", Map.of("pin", 17)), mock));
            assertTrue(e.getMessage().contains("GPIO 17 has no hardware PWM; use 12, 13, 18 or 19"), e.getMessage());
        }
    }
}
