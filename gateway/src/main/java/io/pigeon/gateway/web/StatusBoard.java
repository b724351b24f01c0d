package io.pigeon.gateway.web;

import io.pigeon.drivers.Value;
import io.pigeon.gateway.config.DeviceConfig;
import io.pigeon.gateway.json.IsoTime;
import io.pigeon.gateway.json.Json;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * What the status page shows, kept as the gateway sees it: each device's availability and latest readings with a
 * {@link History} per numeric reading, the last {@link #ALERTS} alerts, the broker connection. The gateway feeds
 * it; the web server reads it and {@link EventStreams} carries its changes to the browsers.
 *
 * <p>Bounded: at most {@link #READINGS_PER_DEVICE} readings per device are kept (a serial device printing ever
 * new keys cannot grow it); about 5 KB per numeric reading. Recording a reading allocates nothing once its slot
 * exists; event text is built only while a browser listens.
 *
 * <p>Threads: {@link #reading} runs on the thread that delivers the device's readings (device, jssc or Pi4J
 * thread), the other inputs on the gateway's threads, the JSON methods on the web server's threads. Locks: a
 * card's monitor, then a slot's (never the reverse); {@link #alerts} alone. None is held while calling out.
 */
public final class StatusBoard {
    static final int READINGS_PER_DEVICE = 32;
    static final int ALERTS = 20;

    private final Map<String, Card> cards = new LinkedHashMap<>(); // fixed after construction
    private final ArrayDeque<String> alerts = new ArrayDeque<>(ALERTS); // guarded by itself
    private final EventStreams streams = new EventStreams();
    private final Supplier<String> status;
    private volatile boolean connected;
    private volatile String connectionReason = "connecting";
    private volatile long connectionSince = System.currentTimeMillis();

    /**
     * @param status the gateway's {@code /api/status} object (version, broker, counters), built on demand
     */
    public StatusBoard(List<DeviceConfig> devices, Supplier<String> status) {
        for (DeviceConfig d : devices) {
            cards.put(d.name(), new Card(d.name(), d.driver(), d.device().kind().acts(), d.decimals()));
        }
        this.status = status;
    }

    EventStreams streams() {
        return streams;
    }

    // ------------------------------------------------------------------ inputs (the gateway's threads)

    /** A reading as the device delivered it (before the publish policy: the page shows the latest value). */
    public void reading(String device, String name, Value value, long epochMillis) {
        Card card = cards.get(device);
        if (card == null) {
            return;
        }
        Slot slot = card.slot(name);
        if (slot != null) {
            slot.record(value, epochMillis);
        }
    }

    public void availability(String device, boolean online, String reason) {
        Card card = cards.get(device);
        if (card == null) {
            return;
        }
        long now = System.currentTimeMillis();
        synchronized (card) {
            card.availability = online ? "online" : "offline";
            card.reason = online ? "" : reason;
            card.since = now;
        }
        if (streams.active()) {
            streams.broadcast("availability", new Json().put("device", device).put("availability",
                online ? "online" : "offline").put("reason", online ? "" : reason).put("time", IsoTime.millis(now)).toString());
        }
    }

    /** An alert as published on {@code <root>/alerts} (a JSON object with its time). */
    public void alert(String json) {
        synchronized (alerts) {
            if (alerts.size() == ALERTS) {
                alerts.removeFirst();
            }
            alerts.addLast(json);
        }
        streams.broadcast("alert", json);
    }

    public void connection(boolean isConnected, String reason) {
        long now = System.currentTimeMillis();
        connected = isConnected;
        connectionReason = isConnected ? "" : reason;
        connectionSince = now;
        if (streams.active()) {
            streams.broadcast("connection", connectionJson());
        }
    }

    /** Sends the readings that changed since the last call; the gateway's scheduler calls it twice a second. */
    public void pushReadings() {
        if (!streams.active()) {
            return;
        }
        for (Card card : cards.values()) {
            for (Slot slot : card.slots()) {
                String json = slot.takeChange(card.name);
                if (json != null) {
                    streams.broadcast("reading", json);
                }
            }
        }
    }

    /** Sends the gateway's status (uptime, outbox, counters); every few seconds. */
    public void pushStatus() {
        if (streams.active()) {
            streams.broadcast("status", status.get());
        }
    }

    // ------------------------------------------------------------------ outputs (the web server's threads)

    String statusJson() {
        return status.get();
    }

    /** The connection as {@code /api/status} and the {@code connection} event carry it. */
    public String connectionJson() {
        return new Json().put("connected", connected).put("reason", connectionReason)
            .put("since", IsoTime.millis(connectionSince)).toString();
    }

    /** The web server's own counters, for {@code /api/status}. */
    public String webJson() {
        return new Json().put("event_clients", streams.clients()).put("event_clients_refused", streams.refused())
            .put("event_clients_dropped_slow", streams.droppedSlow()).toString();
    }

    String devicesJson() {
        StringBuilder sb = new StringBuilder(256 * cards.size()).append("{\"devices\":[");
        boolean first = true;
        for (Card card : cards.values()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            card.appendJson(sb);
        }
        return sb.append("]}").toString();
    }

    String alertsJson() {
        StringBuilder sb = new StringBuilder("{\"alerts\":[");
        synchronized (alerts) {
            sb.append(String.join(",", alerts));
        }
        return sb.append("]}").toString();
    }

    /** {@code {"device":..,"reading":..,"unit":..,"points":[[time_ms,value],...]}}, or null for no such reading. */
    @Nullable String historyJson(String device, String reading) {
        Card card = cards.get(device);
        Slot slot = card == null ? null : card.existing(reading);
        if (slot == null) {
            return null;
        }
        StringBuilder points = new StringBuilder(32 * History.POINTS);
        slot.history(points);
        return new Json().put("device", device).put("reading", reading).put("unit", slot.unit())
            .put("spacing_ms", History.SPACING_MS).raw("points", points.toString()).toString();
    }

    /** What a new event stream gets first: the whole state, then the changes. */
    List<String> snapshot() {
        List<String> events = new ArrayList<>(4);
        events.add(EventStreams.event("status", status.get()));
        events.add(EventStreams.event("devices", devicesJson()));
        events.add(EventStreams.event("alerts", alertsJson()));
        return events;
    }

    static void appendValue(StringBuilder sb, Value v) {
        if (v instanceof Value.Numeric || v instanceof Value.Bool) {
            sb.append(v instanceof Value.Bool b ? String.valueOf(b.value()) : v.text());
        } else {
            Json.string(sb, v.text());
        }
    }

    // ------------------------------------------------------------------ state

    private static final class Card {
        final String name;
        final String driver;
        final boolean actuator;
        final int decimals;
        final Map<String, Slot> slots = new LinkedHashMap<>(); // guarded by this
        String availability = "starting"; // guarded by this
        String reason = "";
        long since = System.currentTimeMillis();

        Card(String name, String driver, boolean actuator, int decimals) {
            this.name = name;
            this.driver = driver;
            this.actuator = actuator;
            this.decimals = decimals;
        }

        /** The reading's slot, made at its first value; null once the device has {@link #READINGS_PER_DEVICE}. */
        synchronized Slot slot(String reading) {
            Slot s = slots.get(reading);
            if (s == null && slots.size() < READINGS_PER_DEVICE) {
                s = new Slot(reading, decimals);
                slots.put(reading, s);
            }
            return s;
        }

        synchronized Slot existing(String reading) {
            return slots.get(reading);
        }

        synchronized List<Slot> slots() {
            return new ArrayList<>(slots.values());
        }

        void appendJson(StringBuilder sb) {
            StringBuilder readings = new StringBuilder(512).append('[');
            List<Slot> list;
            Json head;
            synchronized (this) {
                head = new Json().put("name", name).put("driver", driver).put("kind", actuator ? "actuator" : "sensor")
                    .put("availability", availability).put("reason", reason).put("since", IsoTime.millis(since));
                list = new ArrayList<>(slots.values());
            }
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    readings.append(',');
                }
                list.get(i).appendJson(readings);
            }
            sb.append(head.raw("readings", readings.append(']').toString()));
        }
    }

    private static final class Slot {
        final String name;
        /** The device's {@code decimals}: the page shows numbers as they are published (-1: as read). */
        final int decimals;
        private Value value; // guarded by this
        private long time;
        private boolean changed;
        private History history; // made at the first numeric value

        Slot(String name, int decimals) {
            this.name = name;
            this.decimals = decimals;
        }

        void record(Value v, long epochMillis) {
            History h;
            synchronized (this) {
                value = v;
                time = epochMillis;
                changed = true;
                if (history == null && v instanceof Value.Numeric) {
                    history = new History(decimals);
                }
                h = history;
            }
            if (h != null && v instanceof Value.Numeric n) {
                h.record(epochMillis, n.value());
            }
        }

        synchronized String unit() {
            return value instanceof Value.Numeric n ? n.unit() : "";
        }

        void history(StringBuilder sb) {
            History h;
            synchronized (this) {
                h = history;
            }
            if (h == null) {
                sb.append("[]");
            } else {
                h.appendJson(sb);
            }
        }

        /** The reading event if the value changed since the last call, else null. */
        synchronized @Nullable String takeChange(String device) {
            if (!changed) {
                return null;
            }
            changed = false;
            StringBuilder sb = new StringBuilder(128);
            Json.string(sb.append("{\"device\":"), device);
            appendFields(sb);
            return sb.append('}').toString();
        }

        synchronized void appendJson(StringBuilder sb) {
            sb.append('{');
            appendFields(sb);
            sb.append('}');
        }

        /** Under this slot's monitor. */
        private void appendFields(StringBuilder sb) {
            if (sb.charAt(sb.length() - 1) != '{') {
                sb.append(',');
            }
            Json.string(sb.append("\"reading\":"), name);
            appendValue(sb.append(",\"value\":"), decimals >= 0 && value instanceof Value.Numeric n
                ? n.rounded(decimals) : value);
            Json.string(sb.append(",\"unit\":"), value instanceof Value.Numeric n ? n.unit() : "");
            sb.append(",\"numeric\":").append(value instanceof Value.Numeric);
            Json.string(sb.append(",\"time\":"), IsoTime.millis(time));
        }
    }
}
