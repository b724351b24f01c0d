package io.pigeon.mqtt;

import org.jspecify.annotations.Nullable;

/** Topic names and filters by the rules of MQTT 3.1.1 §4.7. */
final class TopicFilter {
    private TopicFilter() {
    }

    /**
     * Whether {@code topic} matches {@code filter}: {@code +} matches one level, a trailing {@code #} matches
     * the parent level and any number of levels below it, and a topic starting with {@code $} is not matched
     * by a filter starting with a wildcard (§4.7.2).
     */
    public static boolean matches(String filter, String topic) {
        if (topic.startsWith("$") && (filter.startsWith("+") || filter.startsWith("#"))) {
            return false;
        }
        int fl = filter.length();
        int tl = topic.length();
        int f = 0;
        int t = 0;
        while (true) {
            int fe = levelEnd(filter, f);
            int te = levelEnd(topic, t);
            boolean plus = fe - f == 1 && filter.charAt(f) == '+';
            if (fe - f == 1 && filter.charAt(f) == '#') {
                return true;
            }
            if (!plus && (fe - f != te - t || !filter.regionMatches(f, topic, t, fe - f))) {
                return false;
            }
            if (fe == fl && te == tl) {
                return true;
            }
            if (te == tl) {
                // The topic has no more levels: only a final "/#" (which also matches its parent) remains.
                return fl - fe == 2 && filter.charAt(fe + 1) == '#';
            }
            if (fe == fl) {
                return false;
            }
            f = fe + 1;
            t = te + 1;
        }
    }

    private static int levelEnd(String s, int from) {
        int i = s.indexOf('/', from);
        return i < 0 ? s.length() : i;
    }

    /** Checks a filter supplied by the caller. */
    public static void checkFilter(String filter) {
        String problem = filterProblem(filter);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    static void checkFilterOrThrow(String filter) throws MqttProtocolException {
        String problem = filterProblem(filter);
        if (problem != null) {
            throw new MqttProtocolException(problem);
        }
    }

    /** Checks a topic name supplied for a PUBLISH. */
    public static void checkTopicName(String topic) {
        if (topic == null || topic.isEmpty()) {
            throw new IllegalArgumentException("topic must not be empty");
        }
        int i = indexOfWildcard(topic);
        if (i >= 0) {
            throw new IllegalArgumentException("topic '" + topic + "' contains the wildcard '" + topic.charAt(i)
                + "'; wildcards are allowed only in subscriptions");
        }
    }

    private static int indexOfWildcard(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '+' || c == '#') {
                return i;
            }
        }
        return -1;
    }

    private static @Nullable String filterProblem(String filter) {
        if (filter == null || filter.isEmpty()) {
            return "topic filter must not be empty";
        }
        for (int i = 0; i < filter.length(); i++) {
            char c = filter.charAt(i);
            boolean levelStart = i == 0 || filter.charAt(i - 1) == '/';
            boolean levelEnd = i == filter.length() - 1 || filter.charAt(i + 1) == '/';
            if (c == '+' && !(levelStart && levelEnd)) {
                return "topic filter '" + filter + "': '+' must occupy a whole level";
            }
            if (c == '#' && !(levelStart && i == filter.length() - 1)) {
                return "topic filter '" + filter + "': '#' must be the last character and occupy a whole level";
            }
        }
        return null;
    }
}
