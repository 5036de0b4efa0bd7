package io.jcluster.internal;

import java.nio.file.Path;

/**
 * Internal: where jcluster keeps what it unpacks or writes once and reuses (native libraries, the agent jar, class
 * data archives): {@code $XDG_CACHE_HOME/jcluster/WHAT} (the XDG base directory convention, which bin/jcluster
 * follows too), else {@code ~/.cache/jcluster/WHAT}. A container with a read-only root sets XDG_CACHE_HOME to a
 * writable volume.
 */
public final class CacheDir {
    private CacheDir() {
    }

    public static Path of(String what) {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute() ? Path.of(xdg)
                : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("jcluster").resolve(what);
    }
}
