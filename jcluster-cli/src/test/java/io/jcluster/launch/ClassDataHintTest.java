package io.jcluster.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A Spring Boot fat jar gets the one-line hint that its extracted layout starts faster; other jars get none. */
class ClassDataHintTest {
    @TempDir
    Path dir;

    private Path jar(String name, String main) throws Exception {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, main);
        Path jar = dir.resolve(name);
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), m)) {
            out.flush();
        }
        return jar;
    }

    @Test
    void aSpringBootFatJarIsToldHowToExtractIt() throws Exception {
        Assumptions.assumeFalse("off".equals(System.getenv("JCLUSTER_CDS_DIR")));
        StartSpec fat = new StartSpec();
        fat.jar = jar("svc.jar", "org.springframework.boot.loader.launch.JarLauncher");
        assertThat(UnmodifiedApp.classDataHint(fat)).isEqualTo("svc.jar is a Spring Boot fat jar: its classes load from "
                + "nested jars, which class data archives cannot hold; its workers start faster extracted: "
                + "java -Djarmode=tools -jar svc.jar extract --destination DIR, then jcluster start DIR/svc.jar");

        StartSpec extracted = new StartSpec();
        extracted.jar = jar("svc-extracted.jar", "com.example.SvcApplication");
        assertThat(UnmodifiedApp.classDataHint(extracted)).isNull();
        StartSpec byClass = new StartSpec();
        byClass.mainClass = "com.example.SvcApplication";
        byClass.classpath = fat.jar.toString();
        assertThat(UnmodifiedApp.classDataHint(byClass)).isNull();
    }
}
