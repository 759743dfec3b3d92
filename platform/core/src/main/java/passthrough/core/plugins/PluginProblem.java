package passthrough.core.plugins;

import java.nio.file.Path;

/** A plugin that could not be loaded, started or instantiated; reported and skipped, never fatal. */
public record PluginProblem(Path path, String pluginId, String message) {
}
