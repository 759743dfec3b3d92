package passthrough.core.bundle;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.jar.Attributes;
import java.util.jar.Manifest;
import org.pf4j.DefaultVersionManager;
import org.pf4j.VersionManager;

/**
 * Whether a bundled jar is a pf4j plugin this platform can load: its {@code META-INF/MANIFEST.MF} names a
 * {@code Plugin-Id} and a {@code Plugin-Version}, and its {@code Plugin-Requires} (a semver expression such as
 * {@code >=0.1.0} or {@code 0.1.x}) admits the platform's version, judged by pf4j's own version manager so the check
 * agrees with what pf4j does when it loads the plugin.
 */
final class PluginJarCheck {
    private static final long MAX_MANIFEST_BYTES = 1024 * 1024;
    private static final VersionManager VERSIONS = new DefaultVersionManager();

    /** A plugin's declared identity. */
    record PluginInfo(String id, String version, String requires) {
    }

    private PluginJarCheck() {
    }

    /**
     * @param where           "bundle: plugins/x.jar", for messages
     * @param platformVersion this passthrough's version, e.g. 0.1.0
     */
    static PluginInfo check(String where, byte[] jar, String platformVersion) throws BundleRefusedException {
        String notAPlugin = "a bundle's plugins/ holds pf4j plugin jars only; build the plugin with its Plugin-* manifest entries";
        ZipEntryRecord manifestEntry = null;
        SafeZipReader zip = new SafeZipReader(where, jar);
        for (ZipEntryRecord e : zip.entries()) {
            if (e.name().equals("META-INF/MANIFEST.MF")) manifestEntry = e;
        }
        if (manifestEntry == null) throw BundleRefusedException.about(where, "has no META-INF/MANIFEST.MF", notAPlugin);
        if (manifestEntry.declaredSize() > MAX_MANIFEST_BYTES) {
            throw BundleRefusedException.about(where, "its META-INF/MANIFEST.MF is larger than " + MAX_MANIFEST_BYTES + " bytes", notAPlugin);
        }
        Attributes main;
        try {
            main = new Manifest(new ByteArrayInputStream(zip.read(manifestEntry, MAX_MANIFEST_BYTES))).getMainAttributes();
        } catch (IOException e) {
            throw BundleRefusedException.about(where, "its META-INF/MANIFEST.MF cannot be parsed (" + e.getMessage() + ")", notAPlugin);
        }
        String id = main.getValue("Plugin-Id");
        String version = main.getValue("Plugin-Version");
        String requires = main.getValue("Plugin-Requires");
        if (id == null || id.isBlank()) throw BundleRefusedException.about(where, "is not a pf4j plugin (no Plugin-Id in its manifest)", notAPlugin);
        if (version == null || version.isBlank()) {
            throw BundleRefusedException.about(where, "is not a pf4j plugin (no Plugin-Version in its manifest)", notAPlugin);
        }
        try {
            VERSIONS.compareVersions(version, version); // parses it as pf4j will
        } catch (RuntimeException e) {
            throw BundleRefusedException.about(where, "its Plugin-Version '" + version + "' is not a semantic version", notAPlugin);
        }
        if (requires != null && !requires.isBlank() && !requires.equals("*")) {
            boolean admitted;
            try {
                admitted = VERSIONS.checkVersionConstraint(platformVersion, requires);
            } catch (RuntimeException e) {
                throw BundleRefusedException.about(where, "its Plugin-Requires '" + requires + "' cannot be checked against passthrough "
                        + platformVersion + " (" + e.getMessage() + ")", "use a semver expression such as >=0.1.0 or 0.1.x");
            }
            if (!admitted) {
                throw BundleRefusedException.about(where, "plugin " + id + " " + version + " requires passthrough " + requires
                        + ", this is " + platformVersion, "use a build of the plugin made for passthrough " + platformVersion);
            }
        }
        return new PluginInfo(id, version, requires);
    }
}
