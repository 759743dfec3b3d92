package passthrough.cli.json;

import java.util.List;

/** `plugins --json`. */
public record PluginsJson(List<String> directories, List<PluginJson> plugins, List<ExtensionJson> extensions,
                          List<ProblemJson> problems) {

    public record PluginJson(String id, String version, String provider, String state, String path,
                             List<String> extensionPoints, List<String> extensions) {
    }

    public record ExtensionJson(String extensionPoint, String id, String source) {
    }

    public record ProblemJson(String path, String plugin, String message) {
    }
}
