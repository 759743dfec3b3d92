package passthrough.core.plugins;

/** Where a plugin came from, which says who vouches for it. */
public enum PluginOrigin {
    /** Compiled into the platform, found with ServiceLoader. */
    BUILT_IN("built-in"),
    /** Shipped in the bundle's plugins/ directory (system property passthrough.plugins): built and tested with it. */
    FIRST_PARTY("first-party"),
    /** Installed with `plugins install` under var/lib/passthrough/plugins, or given with --plugins-dir. */
    THIRD_PARTY("third-party");

    private final String label;

    PluginOrigin(String label) {
        this.label = label;
    }

    /** "built-in", "first-party", "third-party": as `plugins list` and its JSON show it. */
    public String label() {
        return label;
    }
}
