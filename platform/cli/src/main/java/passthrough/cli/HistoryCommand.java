package passthrough.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import passthrough.cli.json.TransactionJson;
import passthrough.core.apply.PlanExecutor;
import passthrough.core.apply.RefusedException;
import passthrough.core.apply.TransactionException;
import passthrough.core.apply.TransactionSummary;
import picocli.CommandLine.Command;

/** `passthrough history`: the journaled transactions, newest first. */
@Command(name = "history", exitCodeListHeading = "%nExit status:%n", exitCodeList = {" 0:listed", " 2:usage error", " 3:refused (the journal is not ours to read)", " 4:the journal cannot be read"},
        mixinStandardHelpOptions = true,
        description = "List the transactions journaled under <root>/var/lib/passthrough: id, time, state, files.")
final class HistoryCommand extends Subcommand implements Callable<Integer> {

    @Override
    public Integer call() {
        try {
            List<TransactionSummary> all = PlanExecutor.forRoot(global.root).history();
            PrintWriter out = out();
            if (global.json) {
                printJson(new TransactionJson.History(all.stream().map(TransactionJson.Transaction::of).toList()));
                return ExitCodes.OK;
            }
            if (all.isEmpty()) out.println("No transactions yet.");
            for (TransactionSummary t : all) {
                out.printf("%s  %s  %-12s %s%n", t.txid(), t.createdAt(), t.state().toString().toLowerCase(java.util.Locale.ROOT), t.title());
                t.files().forEach(f -> out.println("    " + f.action().toString().toLowerCase(java.util.Locale.ROOT) + " " + f.path()));
            }
            out.flush();
            return ExitCodes.OK;
        } catch (RefusedException e) {
            throw new UserError(ExitCodes.REFUSED, "refused: " + e.getMessage(), e);
        } catch (TransactionException e) {
            throw new UserError(ExitCodes.IO_ERROR, e.getMessage(), e);
        }
    }
}
