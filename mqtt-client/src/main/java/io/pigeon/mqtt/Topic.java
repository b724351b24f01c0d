package io.pigeon.mqtt;

/** A validated topic name, encoded to UTF-8 once so that publishing to it encodes nothing. */
public final class Topic {
    private final String name;
    final byte[] utf8;

    private Topic(String name, byte[] utf8) {
        this.name = name;
        this.utf8 = utf8;
    }

    /**
     * A topic checked and encoded once, to publish to without encoding it again.
     *
     * @throws IllegalArgumentException naming the problem when {@code name} is not a valid topic name
     */
    public static Topic of(String name) {
        TopicFilter.checkTopicName(name);
        return new Topic(name, Utf8.encode(name, "topic '" + name + "'"));
    }

    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return name;
    }
}
