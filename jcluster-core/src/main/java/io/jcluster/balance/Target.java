package io.jcluster.balance;

/** Something a balancer can hand work to. */
public interface Target {
    /** False while the target cannot take more (its window of unacknowledged hand-offs is full). */
    boolean hasRoom();
}
