package passthrough.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.pf4j.ExtensionPoint;
import passthrough.cli.json.PluginsJson;
import passthrough.core.apply.RefusedException;
import passthrough.core.apply.TransactionException;
import passthrough.core.plugins.LoadedExtension;
import passthrough.core.plugins.PluginInfo;
import passthrough.core.plugins.PluginRegistry;
import passthrough.core.plugins.audit.AuditViolation;
import passthrough.core.plugins.audit.PluginInstallRefusedException;
import passthrough.core.plugins.audit.PluginInstaller;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `passthrough plugins install JAR [--trust]`: audit a vendor's plugin, then install it journaled. */
@Command(name = "install", exitCodeListHeading = "%nExit status:%n", exitCodeList = {" 0:installed", " 2:usage error", " 3:refused (manifest, Plugin-Requires or the bytecode audit); nothing was written"},
        mixinStandardHelpOptions = true,
        description = {"Install a third-party pf4j plugin jar under <root>/var/lib/passthrough/plugins, after checking "
                + "its manifest (Plugin-Id, -Version, -Provider, -Requires against this passthrough's version) and "
                + "auditing its byte code without loading it: a plugin may not write files, start processes, open "
                + "network connections, reflect into private members, load classes, exit the JVM or load native code.",
            "Jar and audit record are written as one transaction (`history` lists it, `rollback` undoes it).",
            "Exit 0 installed, 2 usage (no such jar), 3 refused (the message lists every offending call), 4 I/O error."})
final class PluginsInstallCommand extends PluginsSubcommand implements Callable<Integer> {

    @Parameters(paramLabel = "JAR", description = "The plugin jar from its vendor.")
    Path jar;

    @Option(names = "--trust", description = "Install even though the audit found forbidden calls (you vouch for the "
            + "vendor). Never overrides an invalid manifest or an incompatible Plugin-Requires.")
    boolean trust;

    @Override
    public Integer call() {
        PassthroughCommand global = global();
        if (!Files.isRegularFile(jar)) {
            throw new UserError(ExitCodes.USAGE, jar + ": no such file; give the path of the vendor's plugin jar");
        }
        try {
            PluginInstaller.Installation done = PluginInstaller.forRoot(global.root)
                    .install(jar, trust, VersionProvider.version(), takenIds(global));
            if (done.trusted()) warnTrusted(err(), done);
            if (global.json) {
                printJson(new PluginsJson.Install("install", done.pluginId(), done.audit().manifest().version(),
                        done.jarPath(), done.trusted(), done.result().txid(), PluginsJson.AuditJson.of(done.audit(), done.trusted())));
                return ExitCodes.OK;
            }
            PrintWriter out = out();
            out.println("Installed plugin " + done.pluginId() + " " + done.audit().manifest().version() + " from "
                    + done.audit().manifest().provider() + " (third-party, audit " + (done.trusted() ? "NOT clean, trusted" : "clean")
                    + ") as transaction " + done.result().txid() + ":");
            out.println("  " + done.jarPath());
            out.println("  " + done.jarPath() + ".audit.json");
            out.println("Undo with `passthrough plugins remove " + done.pluginId() + "` or `passthrough rollback "
                    + done.result().txid() + "`.");
            out.flush();
            return ExitCodes.OK;
        } catch (PluginInstallRefusedException e) {
            Object partial = e.audit() == null ? null : new PluginsJson.Install("install", e.audit().manifest().id(),
                    e.audit().manifest().version(), null, false, null, PluginsJson.AuditJson.of(e.audit(), false));
            throw new UserError(ExitCodes.REFUSED, e.code(), e.getMessage(), e, partial);
        } catch (RefusedException e) {
            throw new UserError(ExitCodes.REFUSED, "refused: " + e.getMessage(), e);
        } catch (TransactionException | IOException e) {
            throw new UserError(ExitCodes.IO_ERROR, e.getMessage(), e);
        }
    }

    /** Every plugin id and built-in extension id loaded now: a new plugin may not take one of them. */
    private static Set<String> takenIds(PassthroughCommand global) {
        Set<String> ids = new TreeSet<>();
        try (PluginRegistry registry = PluginRegistry.loadFrom(global.pluginDirectories())) {
            registry.plugins().stream().map(PluginInfo::id).forEach(ids::add);
            for (Class<? extends ExtensionPoint> type : PluginRegistry.EXTENSION_POINTS) {
                for (LoadedExtension<? extends ExtensionPoint> e : registry.extensions(type)) {
                    if (e.isBuiltin()) ids.add(PluginRegistry.extensionId(e.extension()));
                }
            }
        }
        return ids;
    }

    /** Loud on stderr (with --json too): the user installed code that can do what plugins must not. */
    private static void warnTrusted(PrintWriter err, PluginInstaller.Installation done) {
        err.println("passthrough: WARNING: plugin " + done.pluginId() + " was installed with --trust although its audit "
                + "found " + done.audit().violations().size() + " forbidden calls; it runs with passthrough's rights "
                + "(often root) whenever passthrough runs:");
        for (AuditViolation v : done.audit().violations()) err.println("passthrough: WARNING:   " + v);
        err.println("passthrough: WARNING: remove it with `passthrough plugins remove " + done.pluginId() + "`");
        err.flush();
    }
}
