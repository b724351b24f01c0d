package io.pigeon.gateway.scan;

import com.pi4j.io.i2c.I2C;
import io.pigeon.drivers.Pi4jPlatform;
import io.pigeon.drivers.sysfs.Hwmon;
import io.pigeon.drivers.sysfs.Iio;
import io.pigeon.drivers.sysfs.Sysfs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * {@code pigeon scan}: what is plugged into this board, and a config entry for each thing a driver reads. Serial
 * ports with their stable {@code /dev/serial/by-id} names and USB identity, the I2C buses and the chips that
 * answer (recognised by address and, where a read can tell, an identity register), 1-Wire sensors, IIO devices,
 * hwmon chips, GPIO and PWM chips. It only reads: an I2C probe is a one-byte read (as {@code i2cdetect -r}), an
 * identity check sets a register pointer and reads; nothing that changes a chip's state. What this user may not
 * open is reported as such.
 */
public final class Scanner {
    /** Where to look: {@code /sys}, {@code /dev} and the 1-Wire folder on a Pi; folders of their own in tests. */
    public record Roots(Path sysfs, Path dev, Path oneWire) {
        public static Roots system() {
            return new Roots(Path.of("/sys"), Path.of("/dev"), Path.of("/sys/bus/w1/devices"));
        }
    }

    private final Roots roots;
    private final Pi4jPlatform platform;
    private final ScanReport report = new ScanReport();

    public Scanner(Roots roots, Pi4jPlatform platform) {
        this.roots = roots;
        this.platform = platform;
    }

    public ScanReport scan() {
        serialPorts();
        i2c();
        oneWire();
        iio();
        hwmon();
        gpioChips();
        pwmChips();
        return report;
    }

    // ------------------------------------------------------------------ serial ports

    private void serialPorts() {
        Map<String, Path> ports = new TreeMap<>(); // tty name -> the path to put in a config
        Path byId = roots.dev().resolve("serial/by-id");
        try {
            for (Path link : Sysfs.list(byId)) {
                if (Files.isSymbolicLink(link)) {
                    ports.put(Files.readSymbolicLink(link).getFileName().toString(), link);
                }
            }
            for (Path p : Sysfs.list(roots.dev())) {
                String n = p.getFileName().toString();
                if (n.matches("ttyUSB\\d+|ttyACM\\d+|ttyAMA\\d+|serial\\d") && !ports.containsKey(n)) {
                    ports.put(n, p);
                }
            }
        } catch (IOException e) {
            report.note("serial ports: cannot list " + e.getMessage());
        }
        for (Map.Entry<String, Path> e : ports.entrySet()) {
            String tty = e.getKey();
            Path port = e.getValue();
            String usb = usbIdentity(tty);
            boolean readable = Files.isReadable(port) && Files.isWritable(port);
            report.add("serial ports", port + (port.getFileName().toString().equals(tty) ? "" : " -> " + tty)
                + (usb.isEmpty() ? "" : " (" + usb + ")")
                + (readable ? "" : " [not readable by this user: add it to the dialout group]"),
                "- {name: " + report.uniqueName("serial_" + tty.replace("tty", "")) + ", driver: serial-line, port: "
                + port + ", baud: 9600, parse: kv}");
        }
        if (ports.isEmpty()) {
            report.note("no serial ports (a USB adapter shows up in /dev/serial/by-id once plugged in)");
        }
    }

    /** "vendor:product manufacturer product" from the USB device above the tty in sysfs, or "". */
    private String usbIdentity(String tty) {
        Path dir = roots.sysfs().resolve("class/tty").resolve(tty).resolve("device");
        try {
            dir = dir.toRealPath();
        } catch (IOException e) {
            return "";
        }
        for (int up = 0; up < 6 && dir != null; up++, dir = dir.getParent()) {
            if (Files.exists(dir.resolve("idVendor"))) {
                String id = Sysfs.line(dir.resolve("idVendor")) + ":" + Sysfs.line(dir.resolve("idProduct"));
                String name = (Sysfs.line(dir.resolve("manufacturer")) + " " + Sysfs.line(dir.resolve("product"))).trim();
                return name.isEmpty() ? id : id + " " + name;
            }
        }
        return "";
    }

    // ------------------------------------------------------------------ I2C

    private void i2c() {
        List<Integer> buses = new ArrayList<>();
        try {
            for (Path p : Sysfs.list(roots.sysfs().resolve("class/i2c-dev"))) {
                String n = p.getFileName().toString();
                if (n.matches("i2c-\\d+")) {
                    buses.add(Integer.parseInt(n.substring(4)));
                }
            }
        } catch (IOException e) {
            report.note("I2C: cannot list " + e.getMessage());
        }
        buses.sort(null);
        if (buses.isEmpty()) {
            report.note("no I2C bus (enable it: sudo raspi-config nonint do_i2c 0)");
        }
        for (int bus : buses) {
            Path dev = roots.dev().resolve("i2c-" + bus);
            if (Files.exists(dev) && !(Files.isReadable(dev) && Files.isWritable(dev))) {
                report.add("I2C", "i2c-" + bus + ": not accessible to this user (add it to the i2c group)", null);
            } else if (!platform.i2cAnswersTruly()) {
                report.add("I2C", "i2c-" + bus + ": not probed (Pi4J's mock platform answers at every address)", null);
            } else {
                probe(bus);
            }
        }
    }

    private void probe(int bus) {
        int answered = 0;
        for (int address = 0x08; address <= 0x77; address++) {
            String id = "scan-" + bus + "-" + address;
            try {
                I2C chip = platform.i2c(id, bus, address);
                int first = chip.read() & 0xFF;
                answered++;
                Chip c = identify(chip, address, first);
                String hex = String.format(Locale.ROOT, "0x%02x", address);
                String entry = c.expander != null
                    ? "# - {name: relay_1, driver: gpio-out, expander: {chip: " + c.expander + ", bus: " + bus
                        + ", address: " + hex + "}, pin: 0}   (or gpio-in; pins 0-" + (c.expander.equals("mcp23017") ? 15 : 7) + ")"
                    : c.driver == null ? null : "- {name: " + report.uniqueName(c.driver) + ", driver: " + c.driver
                        + ", bus: " + bus + ", address: " + hex + "}" + (c.hint == null ? "" : "   # " + c.hint);
                report.add("I2C", "i2c-" + bus + " " + hex + ": " + c.name, entry);
            } catch (RuntimeException e) {
                // nothing at this address (the kernel's "Remote I/O error")
            } finally {
                platform.release(id);
            }
        }
        if (answered == 0) {
            report.add("I2C", "i2c-" + bus + ": no chip answers", null);
        }
    }

    /** What answered: its name, the driver that reads it, a hint, or the expander type whose pins it offers. */
    private record Chip(String name, @Nullable String driver, @Nullable String hint, @Nullable String expander) {
        Chip(String name, @Nullable String driver, @Nullable String hint) {
            this(name, driver, hint, null);
        }
    }

    private static Chip identify(I2C chip, int address, int firstByte) {
        switch (address) {
            case 0x76, 0x77 -> {
                int id = register(chip, 0xD0);
                return switch (id) {
                    case 0x60 -> new Chip("BME280 (chip id 0x60)", "bme280", null);
                    case 0x58 -> new Chip("BMP280 (chip id 0x58: pressure and temperature only; no driver yet)", null, null);
                    case 0x61 -> new Chip("BME680 (chip id 0x61; no driver yet)", null, null);
                    default -> new Chip("unknown chip (Bosch sensors answer here)", null, null);
                };
            }
            case 0x23, 0x5C -> {
                return new Chip("BH1750 light sensor (by its address)", "bh1750", null);
            }
            case 0x44, 0x45, 0x46 -> {
                return new Chip("Sensirion SHT4x or SHT3x (by its address)", "sht4x", "an SHT30/31/35: driver sht3x");
            }
            case 0x38 -> {
                return (firstByte & 0x08) != 0 || (firstByte & 0x10) != 0
                    ? new Chip("AHT20 (status byte 0x" + Integer.toHexString(firstByte) + ")", "aht20", null)
                    : new Chip("PCF8574A or AHT20", null, null);
            }
            default -> {
                // below
            }
        }
        if (address >= 0x40 && address <= 0x4F && word(chip, 0x00) == 0x399F) {
            return new Chip("INA219 current monitor (configuration 0x399F)", "ina219", "shunt_ohms: 0.1 on most boards");
        }
        if (address >= 0x48 && address <= 0x4F && word(chip, 0x02) == 0x4B00 && word(chip, 0x03) == 0x5000) {
            return new Chip("LM75 temperature sensor (T_hyst 75 °C, T_os 80 °C at power-up)", "lm75", null);
        }
        if (address >= 0x48 && address <= 0x4B && word(chip, 0x01) == 0x8583) {
            return new Chip("ADS1x15 ADC (configuration 0x8583)", "ads1x15", "chip: ads1015 for the 12-bit one");
        }
        if (address >= 0x20 && address <= 0x27) {
            // No register pointer here: on a PCF8574 that byte would be written to its pins. A plain read of three
            // bytes gives the port three times on a PCF8574, and IODIRA, IODIRB, IPOLA (FF FF 00 at power-up) on an
            // MCP23017, whose pointer moves on.
            byte[] b = new byte[3];
            try {
                chip.read(b, 0, 3);
            } catch (RuntimeException e) {
                return new Chip("GPIO expander (MCP23017 or PCF8574)", null, null);
            }
            return b[0] == b[1] && b[1] == b[2] ? new Chip("PCF8574 GPIO expander", null, null, "pcf8574")
                : new Chip("MCP23017 GPIO expander", null, null, "mcp23017");
        }
        if (address >= 0x39 && address <= 0x3F) {
            return address == 0x3C || address == 0x3D ? new Chip("SSD1306 OLED display (not a sensor)", null, null)
                : new Chip("PCF8574A GPIO expander", null, null, "pcf8574");
        }
        if (address == 0x68) {
            return new Chip("DS3231/DS1307 clock or MPU-6050 (not a sensor Pigeon reads)", null, null);
        }
        return new Chip("unknown chip", null, null);
    }

    /** A register byte, or -1 when the read fails. */
    private static int register(I2C chip, int register) {
        try {
            return chip.readRegister(register) & 0xFF;
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** A big-endian 16-bit register, or -1 when the read fails. */
    private static int word(I2C chip, int register) {
        try {
            byte[] b = new byte[2];
            chip.readRegister(register, b, 0, 2);
            return ((b[0] & 0xFF) << 8) | (b[1] & 0xFF);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    // ------------------------------------------------------------------ 1-Wire, IIO, hwmon

    private void oneWire() {
        try {
            for (Path p : Sysfs.list(roots.oneWire())) {
                String id = p.getFileName().toString();
                if (id.matches("28-[0-9a-fA-F]{12}")) {
                    report.add("1-Wire", id + ": DS18B20 temperature sensor",
                        "- {name: " + report.uniqueName("temperature_" + id.substring(id.length() - 4)) + ", driver: ds18b20, id: "
                            + id + "}");
                } else if (id.matches("[0-9a-fA-F]{2}-[0-9a-fA-F]{12}")) {
                    report.add("1-Wire", id + ": family " + id.substring(0, 2) + " (no driver)", null);
                }
            }
        } catch (IOException e) {
            report.note("1-Wire: cannot list " + e.getMessage());
        }
    }

    private void iio() {
        try {
            Map<String, Integer> seen = new TreeMap<>();
            for (Map.Entry<Path, String> d : Iio.devices(roots.sysfs()).entrySet()) {
                String name = d.getValue();
                int index = seen.merge(name, 1, Integer::sum) - 1;
                List<String> channels = Iio.channelFiles(d.getKey()); // what the iio driver would read
                report.add("IIO", d.getKey().getFileName() + " " + name + " (" + String.join(", ", channels) + ")",
                    "- {name: " + report.uniqueName(name) + ", driver: iio, device: " + name
                        + (index > 0 ? ", index: " + index : "") + "}");
            }
        } catch (IOException e) {
            report.note("IIO: cannot list " + e.getMessage());
        }
    }

    private void hwmon() {
        try {
            Map<String, Integer> seen = new TreeMap<>();
            for (Map.Entry<Path, String> c : Hwmon.chips(roots.sysfs()).entrySet()) {
                String name = c.getValue();
                int index = seen.merge(name, 1, Integer::sum) - 1;
                List<String> inputs = Hwmon.sensors(c.getKey()); // what the hwmon driver would read
                report.add("hwmon", c.getKey().getFileName() + " " + name + " (" + String.join(", ", inputs) + ")",
                    inputs.isEmpty() ? null : "- {name: " + report.uniqueName(name) + ", driver: hwmon, chip: " + name
                        + (index > 0 ? ", index: " + index : "") + "}");
            }
        } catch (IOException e) {
            report.note("hwmon: cannot list " + e.getMessage());
        }
    }

    // ------------------------------------------------------------------ GPIO and PWM chips

    private void gpioChips() {
        try {
            for (Path p : Sysfs.list(roots.sysfs().resolve("class/gpio"))) {
                String n = p.getFileName().toString();
                if (n.startsWith("gpiochip")) {
                    report.add("GPIO chips", n + ": " + Sysfs.line(p.resolve("label")) + ", " + Sysfs.line(p.resolve("ngpio"))
                        + " lines", "# - {name: button, driver: gpio-in, pin: 17, pull: up}   (pins by BCM number)");
                }
            }
        } catch (IOException e) {
            report.note("GPIO: cannot list " + e.getMessage());
        }
    }

    private void pwmChips() {
        try {
            for (Path p : Sysfs.list(roots.sysfs().resolve("class/pwm"))) {
                String n = p.getFileName().toString();
                if (n.startsWith("pwmchip")) {
                    report.add("PWM chips", n + ": " + Sysfs.line(p.resolve("npwm")) + " channel(s)",
                        "# - {name: fan, driver: pwm, pin: 18, frequency: 25000}   (" + n + ")");
                }
            }
        } catch (IOException e) {
            report.note("PWM: cannot list " + e.getMessage());
        }
    }
}
