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

    private static Path appJar(Path dir) throws Exception {
        Path app = dir.resolve("app.jar");
        try (var jar = new java.util.jar.JarOutputStream(Files.newOutputStream(app))) {
            jar.putNextEntry(new java.util.jar.JarEntry("a/A.class"));
            jar.write(new byte[] {1, 2, 3});
        }
        return app;
    }

    @Test
    void aWorkerWithAJavaAgentIsNeverAskedForADynamicArchive(@TempDir Path jars) throws Exception {
        // HotSpot refuses to dump a dynamic archive with an agent: the first worker would exit 1, every time (F1).
        String app = appJar(jars).toString();
        ClassDataSharing plain = ClassDataSharing.forCommand(List.of("java", "-jar", app), List.of(app), dir.toString());
        assertThat(plain).as("the same command without an agent").isNotNull();
        assertThat(plain.flags(1)).anyMatch(f -> f.startsWith("-XX:ArchiveClassesAtExit="));
        assertThat(plain.dumping(1)).isTrue();

        ClassDataSharing agent = ClassDataSharing.forCommand(List.of("java", "-javaagent:/x/jcluster-agent.jar", "-jar",
                app), List.of(app), dir.toString());
        assertThat(agent).isNotNull();
        for (int id = 1; id <= 3; id++) {
            assertThat(agent.flags(id)).noneMatch(f -> f.startsWith("-XX:ArchiveClassesAtExit"));
            assertThat(agent.dumping(id)).as("no long exit for a worker with an agent").isFalse();
        }
        assertThat(ClassDataSharing.forCommand(List.of("java", "-XX:AOTCache=/x.aot", "-jar", app), List.of(app),
                dir.toString())).as("the user's own AOT cache").isNull();
    }

    @Test
    void theFirstWorkerWithAnAgentListsItsClassesAndLaterOnesMapTheStaticArchive(@TempDir Path jars) throws Exception {
        String app = appJar(jars).toString();
        ClassDataSharing cds = ClassDataSharing.forCommand(List.of("java", "-Xmx64m", "-javaagent:/x/agent.jar", "-jar",
                app), List.of(app), dir.toString());
        List<String> first = cds.flags(1);
        assertThat(first).hasSize(2).first().isEqualTo("-Xlog:cds*=off");
        assertThat(first.get(1)).startsWith("-XX:DumpLoadedClassList=" + dir).endsWith(".classlist.partial");
        assertThat(cds.flags(2)).as("one worker lists").isEmpty();

        cds.exited(1); // it never listened: the next one lists
        assertThat(cds.flags(3)).isEqualTo(first);

        Files.writeString(cds.archive(), "x"); // what the dump leaves
        assertThat(cds.flags(4)).containsExactly("-Xlog:cds*=off", "-XX:SharedArchiveFile=" + cds.archive());
    }

    @Test
    void theStaticDumpRunsTheWorkersJavaWithTheirHeapAndVmFlagsAndClassPathButNotTheirAgent() {
        List<String> command = List.of("/jdk/bin/java", "--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-Dx=y",
                "-XX:+UseSerialGC", "-XX:+UseCompactObjectHeaders", "-javaagent:/x/agent.jar", "-cp", "a.jar:lib/*", "app.Main");
        ClassDataSharing.Launch launch = ClassDataSharing.Launch.of(command);
        assertThat(launch.classpath()).isEqualTo("a.jar:lib/*");
        assertThat(StaticArchiveDump.command(launch.java(), launch.jvmFlags(), launch.classpath(), Path.of("/c/l"),
                Path.of("/c/a.partial"))).containsExactly("/jdk/bin/java", "-Xmx256m", "-XX:+UseCompactObjectHeaders",
                "-XX:+UseG1GC", "-Xshare:dump", "-XX:SharedClassListFile=/c/l", "-XX:SharedArchiveFile=/c/a.partial", "-cp", "a.jar:lib/*");

        assertThat(ClassDataSharing.Launch.of(List.of("java", "-javaagent:/a.jar", "-jar", "/app.jar")))
                .isEqualTo(new ClassDataSharing.Launch("java", List.of("-javaagent:/a.jar"), "/app.jar"));
        assertThat(ClassDataSharing.Launch.of(List.of("java", "-javaagent:/a.jar", "app.Main")))
                .as("no class path of its own").isNull();
        assertThat(ClassDataSharing.forCommand(List.of("java", "-javaagent:/a.jar", "app.Main"), List.of(),
                dir.toString())).isNull();
    }

    @Test
    void theDumpLeavesOutTheAgentsClassesAndOtherLoadersClassesWhichItCannotLoad() {
        String list = String.join("\n", "java/lang/Object id: 0", "io/jcluster/agent/JclusterAgent id: 808",
                "app/Main id: 900", "@cp io/jcluster/agent/JclusterAgent 2 122", "@cp app/Main 3 4",
                "@lambda-proxy io/jcluster/agent/X run ()V", "@lambda-proxy app/Main run ()V",
                "x/Defined id: 2457 super: 0 interfaces: 2424 source: /x/jcluster-agent.jar",
                "@lambda-form-invoker [LF_RESOLVE] java.lang.invoke.Invokers$Holder invoker L3_L", "");
        assertThat(StaticArchiveDump.dumpable(list)).isEqualTo(String.join("\n", "java/lang/Object id: 0",
                "app/Main id: 900", "@cp app/Main 3 4", "@lambda-proxy app/Main run ()V",
                "@lambda-form-invoker [LF_RESOLVE] java.lang.invoke.Invokers$Holder invoker L3_L", ""));
    }
}
