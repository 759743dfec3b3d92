package passthrough.cli;

import java.io.IOException;
import java.util.concurrent.Callable;
import passthrough.cli.json.PluginsJson;
import passthrough.core.apply.ApplyResult;
import passthrough.core.apply.JournaledFile;
import passthrough.core.apply.RefusedException;
import passthrough.core.apply.TransactionException;
import passthrough.core.plugins.audit.PluginInstallRefusedException;
import passthrough.core.plugins.audit.PluginInstaller;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** `passthrough plugins remove ID`: takes an installed third-party plugin away, journaled. */
@Command(name = "remove", exitCodeListHeading = "%nExit status:%n", exitCodeList = {" 0:removed", " 2:usage error", " 3:refused"},
        mixinStandardHelpOptions = true,
        description = {"Remove a third-party plugin installed with `plugins install`: its jar and audit record under "
                + "<root>/var/lib/passthrough/plugins, as one transaction (`history` lists it, `rollback` puts it back).",
            "Exit 0 removed, 2 no such installed plugin, 3 refused, 4 I/O error."})
final class PluginsRemoveCommand extends PluginsSubcommand implements Callable<Integer> {

    @Parameters(paramLabel = "ID", description = "The Plugin-Id, as `plugins list` shows it.")
    String id;

    @Override
    public Integer call() {
        try {
            ApplyResult r = PluginInstaller.forRoot(global().root).remove(id);
            if (global().json) {
                printJson(new PluginsJson.Remove("remove", id, r.txid(), r.files().stream().map(JournaledFile::path).toList()));
            } else {
                out().println("Removed plugin " + id + " as transaction " + r.txid() + ":");
                r.files().forEach(f -> out().println("  " + f.action().toString().toLowerCase(java.util.Locale.ROOT) + " " + f.path()));
                out().println("Undo with `passthrough rollback " + r.txid() + "`.");
                out().flush();
            }
            return ExitCodes.OK;
        } catch (PluginInstallRefusedException e) {
            throw new UserError(ExitCodes.USAGE, e.code(), e.getMessage(), e, null);
        } catch (RefusedException e) {
            throw new UserError(ExitCodes.REFUSED, "refused: " + e.getMessage(), e);
        } catch (TransactionException | IOException e) {
            throw new UserError(ExitCodes.IO_ERROR, e.getMessage(), e);
        }
    }
}
