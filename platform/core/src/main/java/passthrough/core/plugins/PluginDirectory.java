package passthrough.core.plugins;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A directory pf4j loads plugins from, and what its plugins are.
 *
 * @param path         the directory
 * @param origin       first-party (the bundle's) or third-party
 * @param auditRecords true for the directory `plugins install` fills: a jar there loads only when the audit record
 *                     beside it matches its bytes (see {@code audit.InstalledPlugins})
 */
public record PluginDirectory(Path path, PluginOrigin origin, boolean auditRecords) {

    public PluginDirectory {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(origin, "origin");
    }

    /** The bundle's plugins/ directory. */
    public static PluginDirectory firstParty(Path path) {
        return new PluginDirectory(path, PluginOrigin.FIRST_PARTY, false);
    }

    /** A directory the user named with --plugins-dir: their choice, loaded as it is. */
    public static PluginDirectory given(Path path) {
        return new PluginDirectory(path, PluginOrigin.THIRD_PARTY, false);
    }

    /** The directory `plugins install` writes to: every jar needs its matching audit record. */
    public static PluginDirectory installed(Path path) {
        return new PluginDirectory(path, PluginOrigin.THIRD_PARTY, true);
    }
}
