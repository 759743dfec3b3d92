package passthrough.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.pf4j.ExtensionPoint;
import passthrough.cli.json.PluginsJson;
import passthrough.core.plugins.LoadedExtension;
import passthrough.core.plugins.PluginInfo;
import passthrough.core.plugins.PluginOrigin;
import passthrough.core.plugins.PluginProblem;
import passthrough.core.plugins.PluginRegistry;
import passthrough.core.plugins.audit.AuditRecord;
import picocli.CommandLine.Command;

/** `passthrough plugins list`: what is loaded, from where, with what audit, and what failed. */
@Command(name = "list", exitCodeListHeading = "%nExit status:%n", exitCodeList = {" 0:listed", " 2:usage error"},
        mixinStandardHelpOptions = true,
        description = "List loaded plugins (id, origin, version, state, extension points, path, and for installed "
                + "third-party plugins their audit), built-in extensions, and plugins that could not be loaded.")
final class PluginsListCommand extends PluginsSubcommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return list(global(), out(), this::printJson);
    }

    static Integer list(PassthroughCommand global, PrintWriter out, Consumer<Object> printJson) {
        try (PluginRegistry registry = PluginRegistry.loadFrom(global.pluginDirectories())) {
            List<PluginsJson.ExtensionJson> extensions = new ArrayList<>();
            for (Class<? extends ExtensionPoint> type : PluginRegistry.EXTENSION_POINTS) {
                for (LoadedExtension<? extends ExtensionPoint> e : registry.extensions(type)) {
                    extensions.add(new PluginsJson.ExtensionJson(type.getSimpleName(), PluginRegistry.extensionId(e.extension()), e.source()));
                }
            }
            List<PluginInfo> plugins = registry.plugins();
            List<PluginProblem> problems = registry.problems();
            if (global.json) {
                printJson.accept(new PluginsJson(registry.directories().stream().map(Object::toString).toList(),
                        plugins.stream().map(p -> new PluginsJson.PluginJson(p.id(), p.version(), p.provider(), p.state(),
                                String.valueOf(p.path()), p.extensionPoints(), p.extensionIds(), p.origin().label(),
                                PluginsJson.AuditJson.of(p.audit()))).toList(),
                        extensions, problems.stream().map(p -> new PluginsJson.ProblemJson(String.valueOf(p.path()),
                                p.pluginId(), p.message())).toList()));
                return ExitCodes.OK;
            }
            out.println("Plugin directories: " + (registry.directories().isEmpty() ? "(none found)"
                    : String.join(", ", registry.directories().stream().map(Object::toString).toList())));
            if (plugins.isEmpty()) out.println("No plugins loaded.");
            for (PluginInfo p : plugins) {
                out.printf("  %-16s %-11s %-8s %-8s %s  (%s)%n", p.id(), p.origin().label(), p.version(), p.state(),
                        String.join(", ", p.extensionPoints()) + (p.extensionIds().isEmpty() ? "" : ": " + String.join(", ", p.extensionIds())),
                        p.path());
                if (p.origin() == PluginOrigin.THIRD_PARTY) out.println("  " + " ".repeat(16) + " audit: " + auditLine(p.audit()));
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

    private static String auditLine(AuditRecord r) {
        if (r == null) return "none (loaded from --plugins-dir, not installed)";
        String digest = "sha256 " + r.sha256().substring(0, 12) + "…";
        if (r.audit().clean()) return "clean (" + r.audit().classCount() + " classes, " + digest + ")";
        return "NOT clean, installed with --trust: " + r.audit().violations().size() + " forbidden calls (" + digest + ")";
    }
}
