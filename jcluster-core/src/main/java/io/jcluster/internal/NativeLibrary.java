package io.jcluster.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Internal: loads one of jcluster's small JNI libraries from the jar ({@code /native/linux-ARCH/libNAME.so},
 * built where a C compiler was present) through {@code ~/.cache/jcluster/native}, named by its content hash so
 * that builds never overwrite a library another process has mapped.
 */
public final class NativeLibrary {
    private NativeLibrary() {
    }

    /** Loads {@code libNAME.so} for {@code owner}'s class loader; the reason it could not, or null. */
    public static String load(Class<?> owner, String name) {
        String resource = "/native/linux-" + arch() + "/lib" + name + ".so";
        try (InputStream in = owner.getResourceAsStream(resource)) {
            if (in == null) {
                return "this build has no lib" + name + " for linux-" + arch();
            }
            byte[] lib = in.readAllBytes();
            String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(lib), 0, 8);
            Path dir = CacheDir.of("native");
            Files.createDirectories(dir);
            Path file = dir.resolve("lib" + name + "-" + hash + ".so");
            if (!Files.exists(file)) {
                Path tmp = Files.createTempFile(dir, "lib", ".tmp");
                Files.write(tmp, lib);
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            System.load(file.toString());
            return null;
        } catch (IOException | GeneralSecurityException | UnsatisfiedLinkError | SecurityException e) {
            return e.toString();
        }
    }

    static String arch() {
        String a = System.getProperty("os.arch");
        return switch (a) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> a;
        };
    }
}
