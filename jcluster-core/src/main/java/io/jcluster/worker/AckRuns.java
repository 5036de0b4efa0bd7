package io.jcluster.worker;

import io.jcluster.ipc.Message;
import io.jcluster.ipc.Message.Ack;
import io.jcluster.ipc.Message.Refuse;

/**
 * The worker's answers to the connections of one read, in the order they came: runs of {@link Ack} and
 * {@link Refuse}, so a read of 40 connections all adopted costs one frame. Confined to the fd link's loop.
 */
final class AckRuns {
    private final java.util.function.IntSupplier closes;
    private int run;
    private boolean runIsAck = true;

    AckRuns() {
        this(() -> 0);
    }

    /** {@code closes} gives the closes to fold into each Ack ({@link CloseReports#take}). */
    AckRuns(java.util.function.IntSupplier closes) {
        this.closes = closes;
    }

    /** Records the next answer; returns the frame of the run it ends, or null. */
    Message add(boolean taken) {
        Message ended = null;
        if (run > 0 && taken != runIsAck) {
            ended = frame();
            run = 0;
        }
        runIsAck = taken;
        run++;
        return ended;
    }

    /** The frame of the open run, or null: the read is over. */
    Message end() {
        if (run == 0) {
            return null;
        }
        Message m = frame();
        run = 0;
        return m;
    }

    private Message frame() {
        return runIsAck ? new Ack(run, closes.getAsInt()) : new Refuse(run);
    }
}
