package io.jcluster.cluster;

/**
 * A user event fired into every open connection's pipeline when its {@link NetServer} starts a graceful
 * close. A protocol handler closes an idle connection at once, or finishes the request in flight and then
 * closes it. This is how {@code disconnect()} drains a worker without dropping requests.
 */
public final class ServerClosing {
    public static final ServerClosing INSTANCE = new ServerClosing();

    private ServerClosing() {
    }

    @Override
    public String toString() {
        return "ServerClosing";
    }
}
