package io.pigeon.sim;

import io.pigeon.drivers.serial.ModbusCrc;
import io.pigeon.drivers.sim.Pty;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;
import org.tinylog.Logger;

/**
 * An energy meter as a Modbus RTU slave (address 1): input register 0 is the voltage in 0.1 V, 1 the
 * current in 0.01 A, holding register 10 a writable setpoint in 0.5 °C. Requests for other registers get
 * exception 2 (illegal data address), unknown functions exception 1. Answers carry correct CRCs.
 */
public final class ModbusSlaveSim extends SerialSim {
    private final Thread server;
    private volatile int setpoint = 42;

    public ModbusSlaveSim(String name, Path link, World world) throws IOException {
        super(name, link, world);
        server = answering(this::received);
    }

    @Override
    public String driver() {
        return "modbus-rtu";
    }

    @Override
    public String configSnippet() {
        return """
            slave: 1
            interval: 5s
            registers:
              - {name: voltage, address: 0, function: 4, type: uint16, scale: 0.1, unit: V}
              - {name: current, address: 1, function: 4, type: uint16, scale: 0.01, unit: A}
              - {name: setpoint, address: 10, function: 3, type: int16, scale: 0.5, writable: true}
            """;
    }

    @Override
    protected byte @Nullable [] frame() {
        return null; // a slave only answers
    }

    private final byte[] req = new byte[256];
    private int have; // confined to the answering thread

    private void received(@Nullable Pty p, byte[] buf, int n) {
        if (p == null || n == 0) {
            have = 0; // a gap ends a frame, as the 3.5-character silence does on a real line
            return;
        }
        n = Math.min(n, req.length - have);
        System.arraycopy(buf, 0, req, have, n);
        have += n;
        if (have >= 8 && ModbusCrc.valid(req, 8)) {
            byte[] answer = answer(Arrays.copyOf(req, 8));
            have = 0;
            if (answer != null && !"stall".equals(fault())) {
                p.write("checksum".equals(fault()) ? corrupt(answer) : answer);
            }
        }
    }

    private byte @Nullable [] answer(byte[] r) {
        if (r[0] != 1) {
            return null; // not addressed to us: stay silent
        }
        int function = r[1] & 0xFF;
        int address = (r[2] & 0xFF) << 8 | (r[3] & 0xFF);
        int value = (r[4] & 0xFF) << 8 | (r[5] & 0xFF);
        switch (function) {
            case 3, 4 -> {
                byte[] out = new byte[3 + 2 * value];
                out[0] = 1;
                out[1] = (byte) function;
                out[2] = (byte) (2 * value);
                for (int i = 0; i < value; i++) {
                    Integer reg = register(function, address + i);
                    if (reg == null) {
                        return exception(function, 2);
                    }
                    out[3 + 2 * i] = (byte) (reg >> 8);
                    out[4 + 2 * i] = (byte) (int) reg;
                }
                return ModbusCrc.append(out);
            }
            case 6 -> {
                if (address != 10) {
                    return exception(function, 2);
                }
                setpoint = (short) value;
                Logger.info("sim: modbus setpoint register = {}", setpoint);
                return ModbusCrc.append(Arrays.copyOf(r, 6));
            }
            default -> {
                return exception(function, 1);
            }
        }
    }

    private @Nullable Integer register(int function, int address) {
        if (function == 4 && address == 0) {
            return (int) Math.round((230 + world.noise(0.8)) * 10);
        }
        if (function == 4 && address == 1) {
            return (int) Math.round((world.heaterOn() ? 8.7 : 0.4) * 100 + world.noise(2));
        }
        if (function == 3 && address == 10) {
            return setpoint & 0xFFFF;
        }
        return null;
    }

    private static byte[] exception(int function, int code) {
        return ModbusCrc.append(new byte[] {1, (byte) (function | 0x80), (byte) code});
    }

    @Override
    public void close() {
        server.interrupt();
        super.close();
    }
}
