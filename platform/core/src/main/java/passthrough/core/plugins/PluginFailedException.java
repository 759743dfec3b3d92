package passthrough.core.plugins;

/**
 * A plugin threw where it should have returned a finding: a bug in the plugin, or host input it cannot read. The
 * message names the plugin, the call and what it threw, so the user knows whom to tell; the command stops cleanly.
 */
public final class PluginFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String pluginId;

    PluginFailedException(String pluginId, String call, Throwable cause) {
        super("plugin " + pluginId + " failed in " + call + " on this host (" + describe(cause) + "); nothing was "
                + "changed. It met host input it cannot handle or has a bug: run again with -v for the stack trace, and "
                + "send its author the output with a `passthrough report` of this host", cause);
        this.pluginId = pluginId;
    }

    public String pluginId() {
        return pluginId;
    }

    private static String describe(Throwable t) {
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
}
