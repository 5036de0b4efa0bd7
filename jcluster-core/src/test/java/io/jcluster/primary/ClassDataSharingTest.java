package io.jcluster.primary;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassDataSharingTest {
    @TempDir
    Path dir;

    @Test
    void pruningKeepsTheMostRecentlyUsedArchivesAndDropsStalePartialOnes() throws Exception {
        long now = System.currentTimeMillis();
        for (int i = 0; i < 20; i++) {
            Path a = Files.writeString(dir.resolve("a" + i + ".jsa"), "x");
            Files.setLastModifiedTime(a, FileTime.fromMillis(now - (20 - i) * 60_000L)); // a19 is the newest
        }
        Path cli = Files.writeString(dir.resolve("cli-1.jsa"), "x"); // the wrapper's: pruned by bin/jcluster
        Files.setLastModifiedTime(cli, FileTime.fromMillis(now - 86_400_000L));
        Path stale = Files.writeString(dir.resolve("k.123.partial"), "x");
        Files.setLastModifiedTime(stale, FileTime.fromMillis(now - 2 * 3_600_000L));
        Path writing = Files.writeString(dir.resolve("k.456.partial"), "x");

        ClassDataSharing.prune(dir);

        List<String> kept = IntStream.range(4, 20).mapToObj(i -> "a" + i + ".jsa").toList();
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrderElementsOf(concat(kept, "cli-1.jsa", "k.456.partial"));
        }
        assertThat(stale).doesNotExist();
        assertThat(writing).exists();
    }

    private static List<String> concat(List<String> a, String... more) {
        List<String> all = new java.util.ArrayList<>(a);
        all.addAll(List.of(more));
        return all;
    }

    @Test
    void aWorkerWithAJavaAgentGetsNoArchive(@org.junit.jupiter.api.io.TempDir java.nio.file.Path jars) throws Exception {
        // HotSpot refuses to dump a dynamic archive with an agent: the first worker would exit 1, every time.
        org.junit.jupiter.api.Assumptions.assumeFalse("off".equals(System.getenv(ClassDataSharing.ENV_DIR)));
        java.nio.file.Path app = jars.resolve("app.jar");
        try (var jar = new java.util.jar.JarOutputStream(java.nio.file.Files.newOutputStream(app))) {
            jar.putNextEntry(new java.util.jar.JarEntry("a/A.class"));
            jar.write(new byte[] {1, 2, 3});
        }
        assertThat(ClassDataSharing.forCommand(java.util.List.of("java", "-jar", app.toString()),
                java.util.List.of(app.toString()))).as("the same command without an agent").isNotNull();
        assertThat(ClassDataSharing.forCommand(java.util.List.of("java", "-javaagent:/x/jcluster-agent.jar", "-jar",
                app.toString()), java.util.List.of(app.toString()))).isNull();
        assertThat(ClassDataSharing.forCommand(java.util.List.of("java", "-XX:AOTCache=/x.aot", "-jar", app.toString()),
                java.util.List.of(app.toString()))).as("the user's own AOT cache").isNull();
    }
}
