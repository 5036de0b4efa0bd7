package io.jcluster.launch;

import io.jcluster.contract.Units;
import java.util.ArrayList;
import java.util.List;

/**
 * N worker JVMs that each size their heap from the whole machine's or container's memory overcommit it together,
 * and in a container the kernel then kills one (OOM). So each worker gets its share of the memory budget (the
 * cgroup's limit, else the machine's) as {@code -XX:MaxRAM}: the JVM sizes its heap (a quarter, by default) and
 * its other memory from that share as it would in a container of that size. Heap flags of the user's
 * ({@code -Xmx}, {@code -XX:MaxHeapSize}, {@code -XX:MaxRAM…}) turn this off. The share is computed for the
 * start count; workers added later by {@code scale} get the same one (the capacity rule checks their RSS).
 */
public final class MemorySplit {
    /** Kept for the primary (a JVM of its own) and the system: not split among the workers. */
    static final long PRIMARY_RESERVE = 128L << 20;
    /** No share below this: a JVM needs room for its code cache, metaspace and a small heap. */
    static final long MIN_SHARE = 256L << 20;

    private MemorySplit() {
    }

    /** Whether the user sized the workers' memory already. */
    static boolean userSized(List<String> jvmArgs) {
        for (String a : jvmArgs) {
            if (a.startsWith("-Xmx") || a.startsWith("-XX:MaxHeapSize=") || a.startsWith("-XX:MaxRAM")) {
                return true;
            }
        }
        String env = System.getenv("JCLUSTER_WORKER_JAVA_OPTS");
        return env != null && (env.contains("-Xmx") || env.contains("-XX:MaxHeapSize=") || env.contains("-XX:MaxRAM"));
    }

    /** Each of {@code workers}' share of {@code budget} bytes; 0 when the budget is unknown. */
    static long share(long budget, int workers) {
        if (budget <= 0 || workers <= 0) {
            return 0;
        }
        return Math.max(MIN_SHARE, (budget - PRIMARY_RESERVE) / workers);
    }

    /** {@code jvm} with the workers' share as {@code -XX:MaxRAM}, unless the user sized them or the budget is unknown. */
    static List<String> flags(List<String> jvm, long share) {
        if (share <= 0 || userSized(jvm)) {
            return jvm;
        }
        List<String> out = new ArrayList<>(jvm);
        out.add("-XX:MaxRAM=" + (share >> 20) + "m");
        return out;
    }

    /** For the start line and the status: "1.9G per worker (of 23.4G)". */
    static String describe(long share, long budget) {
        return Units.formatSize(share) + " per worker (of " + Units.formatSize(budget) + ")";
    }
}
