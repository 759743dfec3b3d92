package passthrough.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.pf4j.ExtensionPoint;
import passthrough.cli.json.PluginsJson;
import passthrough.core.plugins.LoadedExtension;
import passthrough.core.plugins.PluginInfo;
import passthrough.core.plugins.PluginProblem;
import passthrough.core.plugins.PluginRegistry;
import picocli.CommandLine.Command;

/** `passthrough plugins`: what is loaded, from where, and what failed. */
@Command(name = "plugins", mixinStandardHelpOptions = true,
        description = "List loaded plugins (id, version, state, extension points, path), built-in extensions, and "
                + "plugins that could not be loaded.")
final class PluginsCommand extends Subcommand implements Callable<Integer> {
    @Override
    public Integer call() {
        try (PluginRegistry registry = PluginRegistry.load(global.allPluginDirs())) {
            List<PluginsJson.ExtensionJson> extensions = new ArrayList<>();
            for (Class<? extends ExtensionPoint> type : PluginRegistry.EXTENSION_POINTS) {
                for (LoadedExtension<? extends ExtensionPoint> e : registry.extensions(type)) {
                    extensions.add(new PluginsJson.ExtensionJson(type.getSimpleName(), PluginRegistry.extensionId(e.extension()), e.source()));
                }
            }
            List<PluginInfo> plugins = registry.plugins();
            List<PluginProblem> problems = registry.problems();
            PrintWriter out = out();
            if (global.json) {
                printJson(new PluginsJson(registry.directories().stream().map(Object::toString).toList(),
                        plugins.stream().map(p -> new PluginsJson.PluginJson(p.id(), p.version(), p.provider(), p.state(),
                                String.valueOf(p.path()), p.extensionPoints(), p.extensionIds())).toList(),
                        extensions, problems.stream().map(p -> new PluginsJson.ProblemJson(String.valueOf(p.path()),
                                p.pluginId(), p.message())).toList()));
                return ExitCodes.OK;
            }
            out.println("Plugin directories: " + (registry.directories().isEmpty() ? "(none found)"
                    : String.join(", ", registry.directories().stream().map(Object::toString).toList())));
            if (plugins.isEmpty()) out.println("No plugins loaded.");
            for (PluginInfo p : plugins) {
                out.printf("  %-16s %-8s %-8s %s  (%s)%n", p.id(), p.version(), p.state(),
                        String.join(", ", p.extensionPoints()) + (p.extensionIds().isEmpty() ? "" : ": " + String.join(", ", p.extensionIds())),
                        p.path());
            }
            out.println("Extensions by point:");
            for (PluginsJson.ExtensionJson e : extensions) {
                out.printf("  %-16s %-16s %s%n", e.extensionPoint(), e.id(), e.source().equals(PluginRegistry.BUILTIN)
                        ? "built in" : "plugin " + e.source());
            }
            if (!problems.isEmpty()) {
                out.println("Plugins skipped because of errors:");
                for (PluginProblem p : problems) {
                    out.println("  " + (p.path() == null ? "" : p.path() + ": ") + (p.pluginId() == null ? "" : p.pluginId() + ": ")
                            + p.message());
                }
            }
            out.flush();
            return ExitCodes.OK;
        }
    }
}
