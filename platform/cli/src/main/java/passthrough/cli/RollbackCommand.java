package passthrough.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import passthrough.core.apply.JournaledCommand;
import passthrough.core.apply.JournaledFile;
import passthrough.core.apply.PlanExecutor;
import passthrough.core.apply.RefusedException;
import passthrough.core.apply.RollbackResult;
import passthrough.core.apply.TransactionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `passthrough rollback [TXID]`: put every file of a transaction back, byte for byte. */
@Command(name = "rollback", mixinStandardHelpOptions = true,
        description = {"Restore the files of a transaction (default: the latest applied) from their backups, "
                + "byte-identical, and run its commands again so generated files (grub.cfg, initramfs) follow.",
            "Refuses when a file changed since the transaction, unless --force."})
final class RollbackCommand extends Subcommand implements Callable<Integer> {

    @Parameters(paramLabel = "TXID", arity = "0..1", defaultValue = PlanExecutor.LATEST,
            description = "The transaction, as `passthrough history` lists it (default: latest).")
    String txid;

    @Option(names = "--force", description = "Restore even files that changed since the transaction.")
    boolean force;

    @Option(names = "--no-commands", description = "Restore the files but do not run the commands again.")
    boolean noCommands;

    @Option(names = "--command-timeout", paramLabel = "SECONDS", defaultValue = "600",
            description = "How long each command run again may take before it is killed (default: ${DEFAULT-VALUE}).")
    long commandTimeout;

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
            RollbackResult r = PlanExecutor.forRoot(global.root).rollback(txid, force,
                    ApplyCommand.commandOptions(noCommands, commandTimeout));
            PrintWriter out = out();
            r.recovered().forEach(t -> out.println("Recovered an unfinished transaction first: " + t.message()));
            out.println("Transaction " + r.txid() + " (" + r.title() + "): " + r.state().toString().toLowerCase(java.util.Locale.ROOT)
                    + (r.reason() == null ? "" : " - " + r.reason()));
            for (JournaledFile f : r.files()) out.println("  " + f.status().toString().toLowerCase(java.util.Locale.ROOT) + " " + f.path());
            r.rerunCommands().forEach(c -> out.println("  ran " + String.join(" ", c.argv()) + ": "
                    + c.status().toString().toLowerCase(java.util.Locale.ROOT)));
            out.flush();
            for (JournaledCommand c : r.rerunCommands()) {
                if (c.status() == JournaledCommand.Status.OK || c.status() == JournaledCommand.Status.SKIPPED) continue;
                // the files are back, but what the command generates from them (grub.cfg, the initramfs) is not
                throw new UserError(ExitCodes.NOT_READY, "transaction " + r.txid() + ": every file was restored, but `"
                        + String.join(" ", c.argv()) + "` " + describe(c) + " when run again on the restored files, so "
                        + "what it generates (grub.cfg, the initramfs) may still hold the rolled-back change; fix what its "
                        + "output says and run it by hand before rebooting" + ApplyCommand.outputTail(c.argv(), c.outputTail()));
            }
            return r.state() == passthrough.core.apply.TransactionState.ROLLED_BACK ? ExitCodes.OK : ExitCodes.NOT_READY;
        } catch (RefusedException e) {
            throw new UserError(ExitCodes.REFUSED, "refused: " + e.getMessage(), e);
        } catch (TransactionException e) {
            throw new UserError(ExitCodes.IO_ERROR, e.getMessage(), e);
        }
    }
}
