package passthrough.core.plugins.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.Manifest;
import java.util.regex.Pattern;

/**
 * The pf4j fields of a plugin jar's MANIFEST.MF, and what is wrong with them. Read from the jar as text, so a plugin
 * is described without running any of it.
 *
 * @param id         Plugin-Id; null when absent
 * @param version    Plugin-Version; null when absent
 * @param provider   Plugin-Provider; null when absent
 * @param requires   Plugin-Requires, the platform versions it works with (e.g. {@code >=0.1.0}); null when absent
 * @param pluginClass Plugin-Class, optional (pf4j then uses its own Plugin class)
 * @param problems   each missing or invalid field, as a sentence naming the field and the way out
 */
public record PluginManifest(String id, String version, String provider, String requires, String pluginClass,
                             List<String> problems) {
    /** What pf4j and a file name can both carry: no spaces, slashes or leading dot. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    /** Semantic versions as pf4j's DefaultVersionManager (java-semver) reads them. */
    private static final Pattern VERSION = Pattern.compile("\\d+\\.\\d+\\.\\d+(?:-[0-9A-Za-z.-]+)?(?:\\+[0-9A-Za-z.-]+)?");
    private static final Pattern CLASS_NAME = Pattern.compile("[\\p{L}_$][\\p{L}\\p{N}_$]*(?:\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)*");

    public PluginManifest {
        problems = List.copyOf(problems);
    }

    public boolean valid() {
        return problems.isEmpty();
    }

    /** The fields of {@code manifest} (null when the jar has none) and their problems. */
    static PluginManifest of(Manifest manifest) {
        Attributes a = manifest == null ? new Attributes() : manifest.getMainAttributes();
        String id = field(a, "Plugin-Id");
        String version = field(a, "Plugin-Version");
        String provider = field(a, "Plugin-Provider");
        String requires = field(a, "Plugin-Requires");
        String pluginClass = field(a, "Plugin-Class");
        List<String> problems = new ArrayList<>();
        if (manifest == null) {
            problems.add("no META-INF/MANIFEST.MF: not a pf4j plugin jar; build it with the Plugin-Id, Plugin-Version, "
                    + "Plugin-Provider and Plugin-Requires manifest entries");
        } else {
            if (id == null) problems.add("Plugin-Id is missing; add a stable id such as amd-reset-bug");
            else if (!ID.matcher(id).matches()) {
                problems.add("Plugin-Id '" + id + "' is invalid; use letters, digits, '.', '_' and '-' (at most 64)");
            }
            if (version == null) problems.add("Plugin-Version is missing; add a version such as 1.0.0");
            else if (!VERSION.matcher(version).matches()) {
                problems.add("Plugin-Version '" + version + "' is not a semantic version; use MAJOR.MINOR.PATCH, e.g. 1.0.0");
            }
            if (provider == null) problems.add("Plugin-Provider is missing; name who publishes the plugin, so users know whom to ask");
            if (requires == null) {
                problems.add("Plugin-Requires is missing; state the platform versions the plugin was built for, e.g. >=0.1.0");
            }
            if (pluginClass != null && !CLASS_NAME.matcher(pluginClass).matches()) {
                problems.add("Plugin-Class '" + pluginClass + "' is not a class name; give the fully qualified name or leave it out");
            }
        }
        return new PluginManifest(id, version, provider, requires, pluginClass, problems);
    }

    private static String field(Attributes a, String name) {
        String v = a.getValue(name);
        return v == null || v.isBlank() ? null : v.strip();
    }
}
