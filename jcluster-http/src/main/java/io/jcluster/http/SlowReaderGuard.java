package io.jcluster.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a connection whose client does not read its responses (a slow reader), so that it cannot hold an fd
 * and buffered responses for ever. Three limits ({@link HttpOptions}):
 * <ul>
 * <li>the write timeout: while responses wait in the outbound buffer (the channel is above its write buffer's
 *     high-water mark, or the connection is closing after its writes), the buffer must shrink within the
 *     timeout;</li>
 * <li>the buffered bytes: a response is refused when more than the cap already waits;</li>
 * <li>the pipelined responses: no more than the cap queue up while the channel is unwritable.</li>
 * </ul>
 * Nothing is done per response while the client reads (a writability check and a counter); the progress
 * check is one scheduled task, only while output waits. Netty's {@code IdleStateHandler} would do the
 * progress check too, at the price of a promise and a listener on every write. Event loop only.
 */
final class SlowReaderGuard {
    private static final Logger log = LoggerFactory.getLogger(SlowReaderGuard.class);

    private final ChannelHandlerContext ctx;
    private final Config config;
    private final Runnable closing;
    private final Runnable check = this::check;
    private ScheduledFuture<?> task;
    /** Pending bytes when the progress check was scheduled. */
    private long pendingAtSchedule;
    /** The channel turned writable since the check was scheduled: the client read down to the low-water mark. */
    private boolean drained;
    /** Responses queued since the channel turned unwritable. */
    private int queuedWhileUnwritable;

    /** {@code closing} runs before the guard closes the connection (the handler drops its input then). */
    SlowReaderGuard(ChannelHandlerContext ctx, Config config, Runnable closing) {
        this.ctx = ctx;
        this.config = config;
        this.closing = closing;
    }

    /**
     * Called before a response is queued: false, and the connection closed, when the client has too many bytes
     * or responses waiting already.
     */
    boolean admit() {
        Channel ch = ctx.channel();
        if (ch.isWritable()) {
            return true;
        }
        long pending = pending();
        if (pending > config.maxBufferedResponseBytes()) {
            slowReader(pending + " response bytes buffered, more than " + config.maxBufferedResponseBytes());
            return false;
        }
        if (++queuedWhileUnwritable > config.maxPipelined()) {
            slowReader(queuedWhileUnwritable + " pipelined responses waiting, more than " + config.maxPipelined());
            return false;
        }
        watch();
        return true;
    }

    /** The channel's writability changed: unwritable starts the progress clock, writable resets the count. */
    void writabilityChanged() {
        if (ctx.channel().isWritable()) {
            queuedWhileUnwritable = 0;
            drained = true;
        } else {
            watch();
        }
    }

    /** The connection closes once its writes are out: they must make progress within the write timeout. */
    void closingAfterWrites() {
        watch();
    }

    /** The connection is gone. */
    void cancel() {
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }

    private void watch() {
        if (task == null && config.writeNanos() > 0 && ctx.channel().isActive()) {
            pendingAtSchedule = pending();
            drained = false;
            task = ctx.executor().schedule(check, config.writeNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void check() {
        task = null;
        if (!ctx.channel().isActive()) {
            return;
        }
        long pending = pending();
        if (pending == 0) {
            return;
        }
        if (pending < pendingAtSchedule || drained) {
            watch(); // progress: the client reads, slowly
            return;
        }
        slowReader("no progress writing " + pending + " bytes for " + TimeUnit.NANOSECONDS.toMillis(config.writeNanos())
                + " ms");
    }

    private long pending() {
        ChannelOutboundBuffer buf = ctx.channel().unsafe().outboundBuffer();
        return buf == null ? 0 : buf.totalPendingWriteBytes();
    }

    private void slowReader(String why) {
        config.stats().slowReaderClosed();
        if (log.isDebugEnabled()) {
            log.debug("closing slow reader {}: {}", ctx.channel(), why);
        }
        cancel();
        closing.run();
        ctx.close();
    }
}
