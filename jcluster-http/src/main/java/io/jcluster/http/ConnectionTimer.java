package io.jcluster.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One connection's deadline: the keep-alive idle timeout, the headers timeout or the request timeout, whichever
 * is armed. One scheduled task at most per connection: moving the deadline later does not reschedule, the task
 * finds the new deadline when it runs and schedules itself again. Event loop only.
 */
final class ConnectionTimer {
    /** Which deadline is armed. */
    enum Kind { NONE, IDLE, HEADERS, REQUEST }

    private final ChannelHandlerContext ctx;
    private final Consumer<Kind> expired;
    private final Runnable onTimer = this::fire;
    private Kind kind = Kind.NONE;
    private long deadline;
    private ScheduledFuture<?> timer;
    private long timerAt;

    /** {@code expired} gets the kind of a deadline that passed. */
    ConnectionTimer(ChannelHandlerContext ctx, Consumer<Kind> expired) {
        this.ctx = ctx;
        this.expired = expired;
    }

    long now() {
        return ctx.executor().ticker().nanoTime();
    }

    /** Sets the deadline {@code from + timeoutNanos} for {@code k}; a timeout of 0 disarms. */
    void arm(Kind k, long timeoutNanos, long from) {
        if (timeoutNanos <= 0) {
            kind = Kind.NONE;
            return;
        }
        kind = k;
        deadline = from + timeoutNanos;
        if (timer == null || timerAt > deadline) {
            if (timer != null) {
                timer.cancel(false);
            }
            schedule(deadline);
        }
    }

    /** No deadline any more (the task, if scheduled, finds none). */
    void disarm() {
        kind = Kind.NONE;
    }

    /** Disarms and cancels the task: the connection is gone. */
    void cancel() {
        kind = Kind.NONE;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void schedule(long at) {
        timerAt = at;
        timer = ctx.executor().schedule(onTimer, Math.max(0, at - now()), TimeUnit.NANOSECONDS);
    }

    private void fire() {
        timer = null;
        if (kind == Kind.NONE) {
            return;
        }
        if (now() < deadline) {
            schedule(deadline);
            return;
        }
        expired.accept(kind);
    }
}
