package io.pigeon.mqtt;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/**
 * The client's subscriptions and its SUBSCRIBE/UNSUBSCRIBE requests awaiting their acks, kept across
 * connections: a request the last connection left unanswered is sent again on the next one, and every future
 * handed out completes or fails (at the ack, when the broker has no session to change, or at close).
 *
 * <p>Guarded by the client's lock, except {@link #matching}, which the connection thread iterates without it
 * (a copy-on-write list).
 */
final class Subscriptions {
    static final int MAX = 1024;

    /** One subscription; its future completes at the first SUBACK. */
    static final class Subscription {
        final String filter;
        final byte[] utf8;
        final int qos;
        final MessageHandler handler;
        final CompletableFuture<Integer> future = new CompletableFuture<>();
        boolean acknowledged;

        Subscription(String filter, byte[] utf8, int qos, MessageHandler handler) {
            this.filter = filter;
            this.utf8 = utf8;
            this.qos = qos;
            this.handler = handler;
        }
    }

    /** A SUBSCRIBE (subscription set) or UNSUBSCRIBE (subscription null) awaiting its ack. */
    @SuppressWarnings("ArrayRecordComponent") // the encoded filter, written as is; never compared
    record Request(Subscription subscription, byte[] filterUtf8, CompletableFuture<?> future) {
    }

    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private final Map<Integer, Request> inFlight = new HashMap<>();
    private final List<Request> unsent = new ArrayList<>();

    /** For delivery, on the connection thread, without the lock. */
    List<Subscription> matching() {
        return subscriptions;
    }

    /** Adds (replacing one with the same filter); throws when there are too many. */
    void add(Subscription sub) {
        remove(sub.filter);
        if (subscriptions.size() >= MAX) {
            throw new IllegalStateException("too many subscriptions (at most " + MAX + ")");
        }
        subscriptions.add(sub);
    }

    @SuppressWarnings("ModifyCollectionInEnhancedForLoop") // a copy-on-write list: iterating a snapshot
    void remove(String filter) {
        // A loop, not removeIf with a lambda: the first lambda in a JVM starts java.lang.invoke (about 1 MB).
        for (Subscription s : subscriptions) {
            if (s.filter.equals(filter)) {
                subscriptions.remove(s); // a copy-on-write list: removing while iterating is safe
            }
        }
    }

    /** A refused subscription is not renewed. */
    void refused(Subscription sub) {
        subscriptions.remove(sub);
    }

    /** An UNSUBSCRIBE to send with the next connection. */
    void deferUnsubscribe(Request r) {
        unsent.add(r);
    }

    void sent(int packetId, Request r) {
        inFlight.put(packetId, r);
    }

    /** The request acknowledged by a SUBACK ({@code subscribe}) or UNSUBACK with this id, or null. */
    @Nullable Request acknowledged(int packetId, boolean subscribe) {
        Request r = inFlight.get(packetId);
        if (r == null || (r.subscription() != null) != subscribe) {
            return null;
        }
        inFlight.remove(packetId);
        return r;
    }

    /**
     * A new connection: the ids of the requests the last one left unanswered (to free), and what to send now.
     * Without a session at the broker, unsent UNSUBSCRIBEs are done already and every subscription is sent;
     * with one, the UNSUBSCRIBEs are sent again, and the subscriptions not yet acknowledged.
     */
    List<Integer> reconnected(boolean sessionPresent, List<Request> unsubscribes, List<Subscription> subscribes) {
        List<Integer> freed = new ArrayList<>(inFlight.keySet());
        for (Request r : inFlight.values()) {
            if (r.subscription() == null) {
                unsent.add(r);
            }
        }
        inFlight.clear();
        for (Request r : unsent) {
            if (sessionPresent) {
                unsubscribes.add(r);
            } else {
                r.future().complete(null);
            }
        }
        unsent.clear();
        for (Subscription s : subscriptions) {
            if (!sessionPresent || !s.acknowledged) {
                subscribes.add(s);
            }
        }
        return freed;
    }

    /** At close: every future not yet completed fails. */
    void failAll(Exception cause) {
        for (Subscription s : subscriptions) {
            s.future.completeExceptionally(cause);
        }
        for (Request r : inFlight.values()) {
            r.future().completeExceptionally(cause);
        }
        for (Request r : unsent) {
            r.future().completeExceptionally(cause);
        }
        inFlight.clear();
        unsent.clear();
    }
}
