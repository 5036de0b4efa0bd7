package io.jcluster.worker;

import io.jcluster.ipc.Message;
import io.jcluster.ipc.Message.Ack;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Under least-connections, the closes of the connections this worker took, told to the primary: folded into
 * the next Ack ({@link AckRuns}) or, when none goes out, in one {@code Ack(0, closes)} per wake-up of the fd
 * link's loop however many closed meanwhile. Off (every other policy) it counts nothing and costs nothing.
 *
 * <p>Every connection the worker acknowledges is counted once when it ends: a watched channel by its close
 * future, one closed before it was ever registered by {@link #closed()} directly. Any thread may count;
 * the report is written on the fd link's loop.
 */
final class CloseReports implements ChannelFutureListener {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(CloseReports.class);
    private final boolean on;
    private final AtomicInteger unreported = new AtomicInteger();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Runnable report = this::report;
    private volatile Executor loop;
    private volatile Consumer<Message> link;

    CloseReports(boolean on) {
        this.on = on;
    }

    /** The fd link is up: {@code send} writes and flushes one message on it, run on {@code loop}. */
    void attach(Executor loop, Consumer<Message> send) {
        this.link = send;
        this.loop = loop;
    }

    /** Counts {@code ch}'s close when it comes (it was taken and acknowledged). */
    void watch(Channel ch) {
        if (on) {
            ch.closeFuture().addListener(this);
        }
    }

    /** One taken connection ended (or was dropped before it was served). */
    void closed() {
        if (!on) {
            return;
        }
        unreported.incrementAndGet();
        Executor l = loop;
        if (l != null && scheduled.compareAndSet(false, true)) {
            try {
                l.execute(report);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // The fd link's loop has ended: the worker is stopping, and the primary counts on it no more.
                log.debug("close not reported: the fd link's loop has ended");
            }
        }
    }

    @Override
    public void operationComplete(ChannelFuture future) {
        closed();
    }

    /** The closes not reported yet, now reported by the caller's Ack (fd link's loop). */
    int take() {
        return on ? unreported.getAndSet(0) : 0;
    }

    private void report() {
        scheduled.set(false);
        int n = take();
        if (n > 0) {
            link.accept(new Ack(0, n));
        }
    }
}
