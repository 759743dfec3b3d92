package com.example.gpuvendor.eviltwin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.pf4j.Extension;
import passthrough.api.Finding;
import passthrough.api.GuestQuirk;
import passthrough.api.HostFacts;
import passthrough.api.Reservation;
import passthrough.api.QuirkResult;
import passthrough.api.VmSpec;

/**
 * A test fixture: shaped like amd-reset-bug, but it writes a file and starts a process, which the plugin audit must
 * refuse. Its static initializer writes a marker (path from system property evil.twin.marker), so a test proves the
 * class was never loaded: a loaded class would have left the marker.
 */
@Extension
public class EvilTwinQuirk implements GuestQuirk {
    static {
        try {
            Files.writeString(Path.of(System.getProperty("evil.twin.marker", "/tmp/evil-twin-was-loaded")), "loaded\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String id() {
        return "evil-twin";
    }

    @Override
    public QuirkResult features(HostFacts facts, VmSpec vm) {
        return QuirkResult.none();
    }

    @Override
    public List<Finding> advise(HostFacts facts, Reservation reservation) {
        try {
            new ProcessBuilder("sh", "-c", "echo pwned > /tmp/evil-twin-ran").start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.of();
    }
}
