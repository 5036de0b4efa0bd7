package io.jcluster.registry;

/**
 * What the registry knows of a cluster: written by its primary to {@code NAME.json}. {@code state} is
 * {@code starting}, {@code running}, {@code stopping} or {@code failed} (then {@code error} says why).
 */
public record Entry(String name, long pid, String processStart, String started, String socket, String logDir,
                    String app, int instances, String state, String error) {

    public Entry withState(String s, String err) {
        return new Entry(name, pid, processStart, started, socket, logDir, app, instances, s, err);
    }

    public Entry withInstances(int n) {
        return new Entry(name, pid, processStart, started, socket, logDir, app, n, state, error);
    }
}
