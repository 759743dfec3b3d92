package passthrough.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import passthrough.cli.json.TransactionJson;
import passthrough.core.apply.JournaledCommand;
import passthrough.core.apply.JournaledFile;
import passthrough.core.apply.PlanExecutor;
import passthrough.core.apply.RefusedException;
import passthrough.core.apply.RollbackResult;
import passthrough.core.apply.TransactionException;
import passthrough.core.apply.TransactionState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `passthrough rollback [TXID]`: put every file of a transaction back, byte for byte. */
@Command(name = "rollback", exitCodeListHeading = "%nExit status:%n", exitCodeList = {" 0:rolled back (or already rolled back)", " 1:a command failed on the restored files", " 2:usage error", " 3:refused"},
        mixinStandardHelpOptions = true,
        description = {"Restore the files of a transaction (default: the latest applied) from their backups, "
                + "byte-identical, and run its commands again so generated files (grub.cfg, initramfs) follow.",
            "Refuses when a file changed since the transaction, unless --force."})
final class RollbackCommand extends Subcommand implements Callable<Integer> {

    @Parameters(paramLabel = "TXID", arity = "0..1", defaultValue = PlanExecutor.LATEST,
            description = "The transaction, as `passthrough history` lists it (default: latest).")
    String txid;

    @Option(names = "--force", description = "Restore even files that changed since the transaction.")
    boolean force;

    @Mixin
    CommandRunOptions commandRun;

    private static String describe(JournaledCommand c) {
        return switch (c.status()) {
            case TIMED_OUT -> "timed out after " + c.timeoutSeconds() + " s";
            case MISSING -> "could not be run";
            default -> "failed" + (c.exitStatus() == null ? "" : " with exit status " + c.exitStatus());
        };
    }

    @Override
    public Integer call() {
        try {
            RollbackResult r = PlanExecutor.forRoot(global.root).withProgress(global.progress()).rollback(txid, force,
                    commandRun.toApplyOptions());
            PrintWriter out = out();
            TransactionJson.Rollback json = global.json ? toJson(r) : null;
            if (!global.json) {
                r.recovered().forEach(t -> out.println("Recovered an unfinished transaction first: " + t.message()));
                out.println("Transaction " + r.txid() + " (" + r.title() + "): " + r.state().toString().toLowerCase(java.util.Locale.ROOT)
                        + (r.reason() == null ? "" : " - " + r.reason()));
                for (JournaledFile f : r.files()) out.println("  " + f.status().toString().toLowerCase(java.util.Locale.ROOT) + " " + f.path());
                r.rerunCommands().forEach(c -> out.println(c.status() == JournaledCommand.Status.KEPT
                        ? "  kept what " + String.join(" ", c.argv()) + " made: " + String.join(" ", c.outputTail())
                        : "  ran " + String.join(" ", c.argv()) + ": " + c.status().toString().toLowerCase(java.util.Locale.ROOT)));
                out.flush();
            }
            for (JournaledCommand c : r.rerunCommands()) {
                if (c.status() == JournaledCommand.Status.OK || c.status() == JournaledCommand.Status.SKIPPED
                        || c.status() == JournaledCommand.Status.KEPT) continue;
                // the files are back, but what the command generates from them (grub.cfg, the initramfs) is not
                throw new UserError(ExitCodes.NOT_READY, "COMMAND_FAILED", "transaction " + r.txid() + ": every file was restored, but `"
                        + String.join(" ", c.argv()) + "` " + describe(c) + " when run again on the restored files, so "
                        + "what it generates (grub.cfg, the initramfs) may still hold the rolled-back change; fix what its "
                        + "output says and run it by hand before rebooting" + ApplyCommand.outputTail(c.argv(), c.outputTail()),
                        null, json);
            }
            boolean rolledBack = r.state() == TransactionState.ROLLED_BACK;
            if (json != null && !rolledBack) {
                // with --json a failed rollback is an error document (and its line on stderr), still exit 1
                throw new UserError(ExitCodes.NOT_READY, "ROLLBACK_FAILED", "transaction " + r.txid() + ": "
                        + r.state().toString().toLowerCase(java.util.Locale.ROOT) + (r.reason() == null ? "" : " - " + r.reason()),
                        null, json);
            }
            if (json != null) printJson(json);
            return rolledBack ? ExitCodes.OK : ExitCodes.NOT_READY;
        } catch (RefusedException e) {
            throw new UserError(ExitCodes.REFUSED, "refused: " + e.getMessage(), e);
        } catch (TransactionException e) {
            throw new UserError(ExitCodes.IO_ERROR, e.getMessage(), e);
        }
    }

    /** Already rolled back: the executor found nothing to do and says so in the reason (PlanExecutor.alreadyRolledBack). */
    static boolean alreadyRolledBack(RollbackResult r) {
        return r.state() == TransactionState.ROLLED_BACK && r.reason() != null && r.reason().startsWith("already rolled back");
    }

    static TransactionJson.Rollback toJson(RollbackResult r) {
        boolean already = alreadyRolledBack(r);
        boolean byRecovery = r.recovered().stream().anyMatch(t -> t.txid().equals(r.txid())
                && t.outcome() == TransactionState.ROLLED_BACK);
        // every transaction this run rolled back: those recovery undid, then the one asked for
        List<String> rolledBack = new ArrayList<>();
        r.recovered().stream().filter(t -> t.outcome() == TransactionState.ROLLED_BACK).forEach(t -> rolledBack.add(t.txid()));
        if (r.state() == TransactionState.ROLLED_BACK && !already && !rolledBack.contains(r.txid())) rolledBack.add(r.txid());
        boolean restoredNow = !already && r.files().stream().anyMatch(f -> f.status() == JournaledFile.Status.RESTORED);
        return new TransactionJson.Rollback(r.txid(), r.title(), r.state(), r.reason(), already, byRecovery, rolledBack,
                r.files().stream().map(TransactionJson.RolledBackFile::of).toList(),
                r.rerunCommands().stream().map(TransactionJson.CommandJson::of).toList(), r.recovered(),
                r.state() == TransactionState.ROLLED_BACK && restoredNow);
    }
}
