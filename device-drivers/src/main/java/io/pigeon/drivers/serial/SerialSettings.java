package io.pigeon.drivers.serial;

import io.pigeon.drivers.Settings;
import jssc.SerialPort;

/** Port, speed and frame format of a serial device, as configured. */
public record SerialSettings(String port, int baud, int dataBits, int parity, int stopBits) {
    public static SerialSettings from(Settings s, int defaultBaud) {
        String port = s.requireString("port");
        int baud = s.integer("baud", defaultBaud, 50, 4_000_000);
        int dataBits = s.integer("data_bits", 8, 5, 8);
        int parity = switch (s.choice("parity", "none", "none", "odd", "even", "mark", "space")) {
            case "odd" -> SerialPort.PARITY_ODD;
            case "even" -> SerialPort.PARITY_EVEN;
            case "mark" -> SerialPort.PARITY_MARK;
            case "space" -> SerialPort.PARITY_SPACE;
            default -> SerialPort.PARITY_NONE;
        };
        int stopBits = switch (s.choice("stop_bits", "1", "1", "1.5", "2")) {
            case "2" -> SerialPort.STOPBITS_2;
            case "1.5" -> SerialPort.STOPBITS_1_5;
            default -> SerialPort.STOPBITS_1;
        };
        return new SerialSettings(port, baud, dataBits, parity, stopBits);
    }
}
