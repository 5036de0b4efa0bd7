package io.jcluster.supervise;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcluster.cluster.ExitStatus;
import io.jcluster.cluster.Worker;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * What happened in the cluster, as events for the admin endpoint's stream ({@code /api/events}): fork, online,
 * listening, exit, restart, reload, scale, recycle, hang, giveup, stopping. Each is one line of JSON with at least
 * {@code type} and {@code time}, and {@code worker}, {@code pid}, {@code slot}, {@code generation} where it concerns a
 * worker. The last {@value #RING} are kept for a subscriber that comes later.
 *
 * <p>Published from any thread (the core's supervisor thread, the operations and policy threads); each event is made
 * into its text once. Subscribers are called in order, under this object's lock, and must not block: the admin
 * endpoint's only enqueues a write (and drops a client that cannot keep up).
 */
public final class ClusterEvents {
    /** How many past events a new subscriber gets. */
    public static final int RING = 100;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One event: its type and its one-line JSON. */
    public record Event(String type, String json) {
    }

    private final ArrayDeque<Event> ring = new ArrayDeque<>(RING);
    private final List<Consumer<Event>> subscribers = new CopyOnWriteArrayList<>();
    private final int capacity;

    public ClusterEvents() {
        this(RING);
    }

    ClusterEvents(int capacity) {
        this.capacity = capacity;
    }

    /** A new event's fields: {@code type} and {@code time} set. */
    static ObjectNode event(String type) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("type", type);
        n.put("time", Instant.now().toString());
        return n;
    }

    /** A new event about worker {@code w}: also {@code worker}, {@code pid}, {@code slot}, {@code generation}. */
    static ObjectNode event(String type, Worker w) {
        ObjectNode n = event(type);
        n.put("worker", w.id());
        n.put("pid", w.pid());
        n.put("slot", w.slot());
        n.put("generation", w.generation());
        return n;
    }

    /** An exit event: {@code code} (null when unknown) and {@code signal} (e.g. "SIGKILL", or null). */
    static ObjectNode exit(Worker w, ExitStatus status) {
        ObjectNode n = event("exit", w);
        if (status == null) {
            n.putNull("code");
            n.putNull("signal");
        } else {
            n.put("code", status.code());
            if (status.signal() == null) {
                n.putNull("signal");
            } else {
                n.put("signal", status.signal());
            }
        }
        return n;
    }

    /** Publishes an event made by {@link #event}. */
    public void publish(ObjectNode fields) {
        String json;
        try {
            json = JSON.writeValueAsString(fields);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an event could not be written as JSON", e);
        }
        Event e = new Event(fields.path("type").asText(), json);
        synchronized (this) {
            if (ring.size() == capacity) {
                ring.removeFirst();
            }
            ring.addLast(e);
            for (Consumer<Event> s : subscribers) {
                try {
                    s.accept(e);
                } catch (RuntimeException x) {
                    subscribers.remove(s); // a broken subscriber is dropped, never the publisher
                }
            }
        }
    }

    /** A message event ({@code reload}, {@code scale}, {@code stopping}, …) with {@code message} in the CLI's words. */
    public void message(String type, String message) {
        ObjectNode n = event(type);
        n.put("message", message);
        publish(n);
    }

    /**
     * Subscribes {@code s} (it must not block) and returns the events kept so far, oldest first: nothing is missed
     * or seen twice between the two.
     */
    public synchronized List<Event> subscribe(Consumer<Event> s) {
        subscribers.add(s);
        return new ArrayList<>(ring);
    }

    public void unsubscribe(Consumer<Event> s) {
        subscribers.remove(s);
    }

    /** The events kept, oldest first. */
    public synchronized List<Event> recent() {
        return new ArrayList<>(ring);
    }
}
