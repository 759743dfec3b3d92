package passthrough.cli;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import passthrough.cli.json.ProfileRemoveJson;
import passthrough.core.apply.ApplyOptions;
import passthrough.core.apply.ApplyResult;
import passthrough.core.apply.FileDigest;
import passthrough.core.apply.FileOperation;
import passthrough.core.apply.PlanExecutor;
import passthrough.core.apply.RefusedException;
import passthrough.core.apply.TransactionDescription;
import passthrough.core.apply.TransactionException;
import passthrough.core.host.HostRoot;
import passthrough.core.profiles.ProfileCatalog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * `passthrough profiles remove ID`: deletes an installed profile through the executor, so `history` shows it and
 * `rollback` puts it back. A shipped profile is part of passthrough and is not removed.
 */
@Command(name = "remove", exitCodeListHeading = "%nExit status:%n", exitCodeList = {" 0:removed", " 2:usage error", " 3:refused (a shipped profile)"},
        mixinStandardHelpOptions = true,
        description = {"Remove an installed profile (from /etc/passthrough/profiles under --root) as one journaled "
                + "transaction: `passthrough history` lists it, `passthrough rollback` undoes it.",
            "Shipped profiles cannot be removed; install one with the same id (`profiles install --replace`) to override it."})
final class ProfilesRemoveCommand extends NestedSubcommand implements Callable<Integer> {
    @Parameters(paramLabel = "ID", description = "The installed profile's id.")
    String id;

    @Override
    public Integer call() {
        HostRoot root = ProfileCommands.root(global());
        ProfileCatalog catalog = ProfileCatalog.load(ProfileCatalog.shippedDirectory(), root);
        String rel = ProfileCatalog.INSTALLED + "/" + id + ".json";
        Optional<byte[]> bytes = id.matches("[a-z0-9][a-z0-9._-]{0,63}") ? root.readBytes(rel) : Optional.empty();
        if (bytes.isEmpty()) {
            boolean shipped = catalog.entry(id).map(e -> e.origin() == ProfileCatalog.Origin.SHIPPED).orElse(false);
            throw new UserError(shipped ? ExitCodes.REFUSED : ExitCodes.USAGE, shipped ? "PROFILE_SHIPPED" : "PROFILE_UNKNOWN",
                    "/" + rel + ": " + (shipped ? "not installed: " + id + " is shipped with passthrough and cannot be "
                    + "removed; install a profile with the same id (`passthrough profiles install BUNDLE --replace`) to "
                    + "override it" : "no installed profile '" + id + "'; `passthrough profiles list` shows the installed ones"),
                    null, null);
        }
        try {
            ApplyResult r = PlanExecutor.forRoot(global().root).apply(new TransactionDescription("profile " + id,
                    "remove profile " + id), List.of(FileOperation.delete(rel, FileDigest.of(bytes.get()))), List.of(),
                    ApplyOptions.defaults());
            if (global().json) {
                printJson(new ProfileRemoveJson(id, "/" + rel, r.txid()));
            } else {
                out().println("Removed profile " + id + " (/" + rel + ") in transaction " + r.txid()
                        + "; `passthrough rollback " + r.txid() + "` puts it back.");
                out().flush();
            }
            return ExitCodes.OK;
        } catch (RefusedException e) {
            throw new UserError(ExitCodes.REFUSED, "refused: " + e.getMessage(), e);
        } catch (TransactionException e) {
            throw new UserError(ExitCodes.IO_ERROR, e.getMessage(), e);
        }
    }
}
