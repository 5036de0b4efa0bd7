package io.jcluster.reliability.fuzz;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;

/**
 * An allocator that remembers every buffer it made, so that a test can check deterministically (without
 * waiting for a GC, as the leak detector must) that each one was released.
 */
final class TrackingAllocator extends AbstractByteBufAllocator {
    private final UnpooledByteBufAllocator delegate = new UnpooledByteBufAllocator(false, true);
    private final List<ByteBuf> made = new ArrayList<>();

    TrackingAllocator() {
        super(false);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        return track(delegate.heapBuffer(initialCapacity, maxCapacity));
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        return track(delegate.directBuffer(initialCapacity, maxCapacity));
    }

    @Override
    public CompositeByteBuf compositeHeapBuffer(int maxNumComponents) {
        return track(super.compositeHeapBuffer(maxNumComponents));
    }

    @Override
    public CompositeByteBuf compositeDirectBuffer(int maxNumComponents) {
        return track(super.compositeDirectBuffer(maxNumComponents));
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }

    private <T extends ByteBuf> T track(T b) {
        made.add(b);
        return b;
    }

    /** The buffers not released yet, described. */
    List<String> unreleased() {
        List<String> out = new ArrayList<>();
        for (ByteBuf b : made) {
            if (b.refCnt() > 0) {
                int n = Math.min(64, b.readableBytes());
                out.add(b.getClass().getSimpleName() + " refCnt=" + b.refCnt() + " readable=" + b.readableBytes()
                        + " starts " + (n > 0 ? ByteBufUtil.hexDump(b, b.readerIndex(), n) : "(empty)"));
            }
        }
        return out;
    }

    /** Releases what is left (after a failed check, so later inputs start clean). */
    void releaseAll() {
        for (ByteBuf b : made) {
            if (b.refCnt() > 0) {
                b.release(b.refCnt());
            }
        }
        made.clear();
    }
}
