package io.jcluster.supervise;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The capacity rule with the machine injected: at most 4 workers per CPU, and the new ones must fit in memory. */
class CapacityTest {
    private static final long MB = 1L << 20;

    @TempDir
    Path root;

    @Test
    void atMostFourWorkersPerCpu() {
        Capacity twoCpus = new Capacity(2, 64L << 30, "MemAvailable");
        assertThat(twoCpus.refusal(2, 8, 0)).isNull();
        assertThat(twoCpus.refusal(2, 9, 0)).contains("9 workers are more than this machine can run")
                .contains("2 CPU(s)").contains("at most 4 workers per CPU (8)");
        assertThat(twoCpus.refusal(2, 1000, 0)).isNotNull();
    }

    @Test
    void theNewWorkersMustFitInTheAvailableMemoryAtTheRunningWorkersRss() {
        Capacity small = new Capacity(64, 300 * MB, "the cgroup's memory.max");
        assertThat(small.refusal(2, 6, 70 * MB)).isNull(); // 4 x 70 MB = 280 MB
        assertThat(small.refusal(2, 7, 70 * MB)).contains("5 more worker(s) need about 350M (70.0M each, the running "
                + "workers' RSS) but 300M is available (the cgroup's memory.max): at most 6 worker(s) fit");
        assertThat(small.refusal(0, 5, 0)).as("75 MB each when no worker runs yet").contains("375M").contains("75.0M each)");
        assertThat(small.refusal(0, 4, 0)).isNull();
    }

    @Test
    void goingDownOrStayingIsNeverRefused() {
        Capacity tiny = new Capacity(1, 0, "MemAvailable");
        assertThat(tiny.refusal(40, 39, 70 * MB)).isNull();
        assertThat(tiny.refusal(40, 40, 70 * MB)).isNull();
        assertThat(tiny.refusal(40, 41, 70 * MB)).isNotNull();
    }

    @Test
    void unknownMemorySkipsTheMemoryRule() {
        assertThat(new Capacity(2, -1, "MemAvailable").refusal(0, 8, 0)).isNull();
    }

    @Test
    void memoryFromTheCgroupLimitWhenSetElseMemAvailable() throws Exception {
        Files.createDirectories(root.resolve("proc"));
        Files.writeString(root.resolve("proc/meminfo"), "MemTotal:       32000000 kB\nMemAvailable:    2048000 kB\n");
        assertThat(Capacity.probe(root).availableBytes()).isEqualTo(2048000L * 1024);
        assertThat(Capacity.probe(root).memorySource()).isEqualTo("MemAvailable");

        Path cg = Files.createDirectories(root.resolve("sys/fs/cgroup"));
        Files.writeString(cg.resolve("memory.max"), "max\n");
        Files.writeString(cg.resolve("memory.current"), "1000\n");
        assertThat(Capacity.probe(root).availableBytes()).as("no limit").isEqualTo(2048000L * 1024);

        Files.writeString(cg.resolve("memory.max"), "536870912\n");
        Files.writeString(cg.resolve("memory.current"), "134217728\n");
        Capacity limited = Capacity.probe(root);
        assertThat(limited.availableBytes()).isEqualTo(384 * MB);
        assertThat(limited.memorySource()).isEqualTo("the cgroup's memory.max");
    }

    @Test
    void cgroupV1AHugeLimitIsNoLimit() throws Exception {
        Files.createDirectories(root.resolve("proc"));
        Files.writeString(root.resolve("proc/meminfo"), "MemAvailable:    1024000 kB\n");
        Path cg = Files.createDirectories(root.resolve("sys/fs/cgroup/memory"));
        Files.writeString(cg.resolve("memory.limit_in_bytes"), "9223372036854771712\n");
        Files.writeString(cg.resolve("memory.usage_in_bytes"), "50450432\n");
        assertThat(Capacity.probe(root).availableBytes()).isEqualTo(1024000L * 1024);
        Files.writeString(cg.resolve("memory.limit_in_bytes"), "268435456\n");
        assertThat(Capacity.probe(root).availableBytes()).isEqualTo(256 * MB - 50450432L);
    }

    @Test
    void theMemoryBudgetIsTheCgroupLimitElseTheMachinesMemory() throws Exception {
        assertThat(Capacity.memoryBudget(root)).as("nothing readable").isEqualTo(-1);
        Files.createDirectories(root.resolve("proc"));
        Files.writeString(root.resolve("proc/meminfo"), "MemTotal:       4096000 kB\nMemAvailable:    1024000 kB\n");
        assertThat(Capacity.memoryBudget(root)).isEqualTo(4096000L * 1024);

        Path v1 = Files.createDirectories(root.resolve("sys/fs/cgroup/memory"));
        Files.writeString(v1.resolve("memory.limit_in_bytes"), "9223372036854771712\n");
        assertThat(Capacity.memoryBudget(root)).as("v1, no limit").isEqualTo(4096000L * 1024);
        Files.writeString(v1.resolve("memory.limit_in_bytes"), "1073741824\n");
        assertThat(Capacity.memoryBudget(root)).as("v1 limit").isEqualTo(1024 * MB);

        Files.writeString(root.resolve("sys/fs/cgroup/memory.max"), "536870912\n");
        assertThat(Capacity.memoryBudget(root)).as("v2 limit").isEqualTo(512 * MB);
    }
}
