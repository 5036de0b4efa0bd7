package io.jcluster.primary;

/**
 * Keeps the primary's JVM alive while it has workers or restarts pending, as Node's child-process handles
 * keep a primary alive: one non-daemon thread exists exactly while the count is above zero. Everything else
 * the primary runs is daemon, so a primary whose workers are all gone exits when its main has returned.
 */
final class KeepAlive {
    private int count;

    synchronized void retain() {
        if (count++ == 0) {
            Thread t = new Thread(this::hold, "jcluster-keepalive");
            t.setDaemon(false);
            t.start();
        }
    }

    synchronized void release() {
        if (--count == 0) {
            notifyAll();
        }
    }

    private synchronized void hold() {
        while (count > 0) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
