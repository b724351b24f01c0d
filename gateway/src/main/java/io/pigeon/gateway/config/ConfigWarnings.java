package io.pigeon.gateway.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;

/**
 * What a valid config may still get wrong: printed by {@code check} (which still exits 0) and logged at start
 * by {@code run}. Never a secret: paths and names only.
 */
public final class ConfigWarnings {
    private ConfigWarnings() {
    }

    public static List<String> of(GatewayConfig cfg) {
        List<String> out = new ArrayList<>();
        GatewayConfig.Mqtt m = cfg.mqtt();
        if (m.tls() && !m.verifyHostname()) {
            out.add("mqtt.tls.verify_hostname is false: the broker's certificate is not checked against its name, "
                + "so anyone on the path can pose as the broker");
        }
        if (m.passwordFile() != null && readableByOthers(m.passwordFile())) {
            out.add("mqtt.password_file " + m.passwordFile() + " is readable by every user: "
                + "chmod 640 it (owner root, group pigeon)");
        }
        if (cfg.devices().isEmpty()) {
            out.add("no devices: the gateway will only report its own availability and health");
        }
        Topics topics = new Topics(m.topicPrefix());
        for (DeviceConfig d : cfg.devices()) {
            for (Path f : d.device().files()) {
                if (!Files.exists(f)) {
                    out.add("device '" + d.name() + "': " + f + " does not exist now (fine if it appears later, "
                        + "e.g. when the adapter is plugged in; until then the device is offline)");
                }
            }
            for (String r : d.device().declaredReadings()) {
                if (Topics.RESERVED_READINGS.contains(r)) {
                    out.add("device '" + d.name() + "': reading '" + r + "' would publish on "
                        + topics.reading(d.name(), r) + ", a topic the gateway uses for " + (r.equals(Topics.SET)
                        ? "commands" : r.equals(Topics.ERROR) ? "refused commands" : "availability") + "; rename it");
                }
            }
        }
        return out;
    }

    private static boolean readableByOthers(Path p) {
        try {
            return Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_READ);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
