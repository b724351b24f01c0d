package io.pigeon.gateway.config;

import java.util.Set;

/**
 * The topic layout under {@code <root>} (the config's {@code topic_prefix}), in one place: the gateway, Home
 * Assistant discovery and {@code check} all take their topics from here, and the README's table says the same.
 *
 * <pre>
 * &lt;root&gt;/availability              online / offline (retained; the last will)
 * &lt;root&gt;/alerts                    JSON: a device offline or back, the gateway reconnected
 * &lt;root&gt;/health                    JSON: the health report
 * &lt;root&gt;/&lt;device&gt;                  JSON: all readings of a device with payload: json
 * &lt;root&gt;/&lt;device&gt;/&lt;reading&gt;        one reading
 * &lt;root&gt;/&lt;device&gt;/availability     online / offline (retained)
 * &lt;root&gt;/&lt;device&gt;/set              commands
 * &lt;root&gt;/&lt;device&gt;/state            the result of a command (retained)
 * &lt;root&gt;/&lt;device&gt;/error            a refused command
 * </pre>
 */
public final class Topics {
    public static final String AVAILABILITY = "availability";
    public static final String ALERTS = "alerts";
    public static final String HEALTH = "health";
    public static final String SET = "set";
    public static final String STATE = "state";
    public static final String ERROR = "error";

    /** Device names that would clash with the gateway's own topics (and the simulator's {@code sim}). */
    public static final Set<String> RESERVED_DEVICE_NAMES = Set.of(AVAILABILITY, ALERTS, HEALTH, "sim", SET, STATE,
        ERROR);
    /** Reading names that would publish on a topic the gateway uses for the device itself. */
    public static final Set<String> RESERVED_READINGS = Set.of(AVAILABILITY, SET, ERROR);

    private final String root;

    public Topics(String root) {
        this.root = root;
    }

    public String root() {
        return root;
    }

    public String availability() {
        return root + "/" + AVAILABILITY;
    }

    public String alerts() {
        return root + "/" + ALERTS;
    }

    public String health() {
        return root + "/" + HEALTH;
    }

    /** Where a device with {@code payload: json} publishes its readings as one object. */
    public String device(String device) {
        return root + "/" + device;
    }

    public String reading(String device, String reading) {
        return root + "/" + device + "/" + reading;
    }

    public String availability(String device) {
        return reading(device, AVAILABILITY);
    }

    public String set(String device) {
        return reading(device, SET);
    }

    public String state(String device) {
        return reading(device, STATE);
    }

    public String error(String device) {
        return reading(device, ERROR);
    }

    /** The filter the gateway subscribes to for every device's commands. */
    public String allCommands() {
        return root + "/+/" + SET;
    }

    /** The device a command topic ({@link #allCommands} matched it) is for. */
    public String deviceOfCommand(String topic) {
        return topic.substring(root.length() + 1, topic.length() - SET.length() - 1);
    }
}
