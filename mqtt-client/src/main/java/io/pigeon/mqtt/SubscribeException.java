package io.pigeon.mqtt;

/** The broker answered a SUBSCRIBE with the failure code 0x80 for this filter. */
public final class SubscribeException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String filter;

    public SubscribeException(String filter) {
        super("the broker refused the subscription to '" + filter + "' (SUBACK 0x80)");
        this.filter = filter;
    }

    public String filter() {
        return filter;
    }
}
