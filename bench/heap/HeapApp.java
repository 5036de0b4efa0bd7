/*
 * HeapApp — an allocating jcluster app for bench/heap/run.sh ("smaller heaps and pauses": measured).
 *
 * GET / does what a typical service request does to the heap:
 *   - a few hundred kB of short-lived objects: ALLOC_KB/0.27 arrays of 32 longs (about 270 bytes each) in a list,
 *     filled and summed (the list makes them escape, so the JIT cannot take the allocations away);
 *   - a look-up in a bounded LRU cache (a LinkedHashMap in access order, synchronized, as a simple cache is
 *     written): a key drawn from twice as many keys as the cache holds; a miss stores a 1 kB value. The cache
 *     grows to CACHE_MB of values (tens of MB, old-generation data), then evicts: steady old-generation churn.
 * It answers {"sum":…,"cached":ENTRIES,"pid":PID} (the pid last: bench/lib/probe.py tells workers apart by it).
 *
 * The same main runs alone (`java -cp jcluster.jar:CLASSES HeapApp PORT`: the app binds the port itself, one event
 * loop per CPU) and as a cluster's worker (`jcluster start --main-class HeapApp --classpath CLASSES -i 2 -- PORT`:
 * the port is shared through the primary, one event loop per worker); each process has its own cache.
 *
 * Usage: HeapApp PORT [ALLOC_KB (default 300)] [CACHE_MB (default 32)]
 */

import io.jcluster.http.App;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

public final class HeapApp {
    private static final long PID = ProcessHandle.current().pid();
    private static final int VALUE_BYTES = 1024;

    private HeapApp() {
    }

    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: HeapApp PORT [ALLOC_KB] [CACHE_MB]");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        int allocKb = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        int cacheMb = args.length > 2 ? Integer.parseInt(args[2]) : 32;
        int arrays = Math.max(1, allocKb * 1024 / (16 + 32 * 8));
        int maxEntries = Math.max(1, cacheMb * 1024 * 1024 / VALUE_BYTES);
        Lru cache = new Lru(maxEntries);
        App app = App.create();
        app.get("/", (req, res) -> {
            long sum = churn(arrays);
            int cached;
            synchronized (cache) {
                Integer key = ThreadLocalRandom.current().nextInt(2 * maxEntries);
                byte[] value = cache.get(key);
                if (value == null) {
                    value = new byte[VALUE_BYTES];
                    value[0] = (byte) sum;
                    cache.put(key, value);
                }
                sum += value[0];
                cached = cache.size();
            }
            res.type("application/json").send("{\"sum\":" + sum + ",\"cached\":" + cached + ",\"pid\":" + PID + "}");
        });
        app.listen("127.0.0.1", port, () -> System.out.println("HeapApp " + PID + " listening on " + port
                + " (" + allocKb + " kB of short-lived objects per request, an LRU cache of up to " + cacheMb + " MB)"))
                .whenComplete((address, e) -> {
                    if (e != null) {
                        System.err.println("HeapApp: could not listen on " + port + ": " + e);
                        System.exit(1);
                    }
                });
    }

    /** Allocates {@code arrays} arrays of 32 longs, kept in a list until summed. */
    static long churn(int arrays) {
        List<long[]> list = new ArrayList<>(arrays);
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < arrays; i++) {
            long[] a = new long[32];
            a[i & 31] = random.nextLong();
            list.add(a);
        }
        long sum = 0;
        for (long[] a : list) {
            sum += a[(int) (sum & 31)];
        }
        return sum;
    }

    /** A bounded cache: the least recently used entry goes when it is full. */
    static final class Lru extends LinkedHashMap<Integer, byte[]> {
        private static final long serialVersionUID = 1L;
        private final int max;

        Lru(int max) {
            super(16, 0.75f, true);
            this.max = max;
        }

        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, byte[]> eldest) {
            return size() > max;
        }
    }
}
