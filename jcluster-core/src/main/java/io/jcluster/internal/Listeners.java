package io.jcluster.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Internal: the listeners of one event. A listener that throws is logged and does not stop the others. */
public final class Listeners<T> {
    private static final Logger log = LoggerFactory.getLogger(Listeners.class);
    private final List<T> list = new CopyOnWriteArrayList<>();
    private final String event;

    public Listeners(String event) {
        this.event = event;
    }

    public void add(T listener) {
        list.add(java.util.Objects.requireNonNull(listener, "listener"));
    }

    public void fire(Consumer<T> call) {
        for (T l : list) {
            try {
                call.accept(l);
            } catch (RuntimeException | Error e) {
                log.error("a '{}' listener threw", event, e);
            }
        }
    }
}
