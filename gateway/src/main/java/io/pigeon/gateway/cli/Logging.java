package io.pigeon.gateway.cli;

import io.pigeon.gateway.config.GatewayConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.tinylog.configuration.Configuration;

/**
 * One line per event to the console, optionally also to a rolling file; the level comes from the config.
 * Under systemd the console is the journal, which dates every line itself: there the console's lines carry no
 * date of their own, so tinylog's date formatting and the time zone rules are never loaded for them (the
 * file's lines keep their dates). The MQTT client's java.util.logging and Pi4J's SLF4J output are routed here
 * too.
 */
final class Logging {
    private Logging() {
    }

    /** systemd sets this to "device:inode" of the stream it connects a service's output to (systemd.exec(5)). */
    static final String JOURNAL = "JOURNAL_STREAM";
    private static final String DATED = "{date:yyyy-MM-dd HH:mm:ss} {level}: {message}";

    static void configure(GatewayConfig.Log log, Map<String, String> env) {
        if (Configuration.isFrozen()) {
            return;
        }
        String level = log.level().toLowerCase(Locale.ROOT);
        // Our shutdown hook logs the clean stop and closes the writers itself; tinylog's own hook would
        // close them first.
        Configuration.set("autoshutdown", "false");
        Configuration.set("writer", "console");
        Configuration.set("writer.format", toJournal(env) ? "{level}: {message}" : DATED);
        Configuration.set("writer.stream", "out");
        Configuration.set("level", level);
        // Pi4J reports the missing board model of a laptop as an error; it is not one for us.
        Configuration.set("level@com.pi4j", "warn");
        Configuration.set("level@com.pi4j.boardinfo", "off");
        if (log.file() != null) {
            Configuration.set("writer2", "rolling file");
            Configuration.set("writer2.file", log.file() + ".{count}");
            Configuration.set("writer2.latest", log.file().toString());
            Configuration.set("writer2.format", DATED);
            Configuration.set("writer2.policies", "size: 10mb");
            Configuration.set("writer2.backups", "5");
            Configuration.set("writer2.level", level);
        }
        org.tinylog.jul.JulTinylogBridge.activate();
    }

    /**
     * Whether standard output is the journal's stream. A shell started by a service (a terminal that runs as a
     * user service, say) inherits the variable with another output, so the stream itself is compared, as
     * systemd.exec(5) advises.
     */
    static boolean toJournal(Map<String, String> env) {
        String stream = env.get(JOURNAL);
        if (stream == null) {
            return false;
        }
        try {
            Path out = Path.of("/proc/self/fd/1");
            return stream.equals(Files.getAttribute(out, "unix:dev") + ":" + Files.getAttribute(out, "unix:ino"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false; // not Linux, or no standard output: dates, as anywhere but the journal
        }
    }
}
