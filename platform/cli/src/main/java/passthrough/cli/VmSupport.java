package passthrough.cli;

import java.io.PrintWriter;
import java.util.List;
import passthrough.cli.json.VmJson;
import passthrough.core.apply.ApplyOptions;
import passthrough.core.apply.ApplyResult;
import passthrough.core.apply.CommandFailedException;
import passthrough.core.apply.CommandResult;
import passthrough.core.apply.RefusedException;
import passthrough.core.apply.TransactionDescription;
import passthrough.core.apply.TransactionException;
import passthrough.core.plan.PlanApplier;
import passthrough.core.plan.PlanFinding;
import passthrough.core.plan.PlanRefusedException;
import passthrough.core.plan.PlannedCommand;
import passthrough.core.plan.PlannedFile;
import passthrough.core.plan.UnifiedDiff;
import passthrough.core.vm.VmPlan;

/** What `vm create` and `vm remove` share: printing a VM plan's changes and applying them as one transaction. */
final class VmSupport {
    private VmSupport() {
    }

    static void printChanges(PrintWriter out, VmPlan plan) {
        for (PlannedFile f : plan.files()) {
            out.println("File " + f.path() + " (" + f.plugin() + "): " + f.reason());
            out.print(UnifiedDiff.of(f));
            out.println();
        }
        if (!plan.commands().isEmpty()) out.println("Commands, after the files are written:");
        for (PlannedCommand c : plan.commands()) {
            out.println("  " + String.join(" ", c.argv()) + "    # " + c.reason() + "; rollback: " + c.undo().display());
        }
    }

    static void printFindings(PrintWriter out, List<PlanFinding> findings) {
        if (!findings.isEmpty()) out.println();
        for (PlanFinding f : findings) {
            out.println("[" + f.severity().toUpperCase(java.util.Locale.ROOT) + "] " + f.message());
            if (f.fix() != null && !f.fix().isEmpty()) out.println("        " + f.fix());
        }
    }

    /** Applies the plan's files and commands as one journaled transaction; failures become UserErrors. */
    static ApplyResult apply(PassthroughCommand global, VmPlan plan, String what, ApplyOptions options, VmJson partial) {
        try {
            PlanApplier applier = PlanApplier.forRoot(global.root).withProgress(global.progress());
            return applier.apply(new TransactionDescription("vm " + plan.name(), what), plan.files(), plan.commands(), options,
                    applier.journalMark());
        } catch (CommandFailedException e) {
            String longer = e.outcome() == CommandResult.Outcome.TIMED_OUT ? " (--command-timeout SECONDS)" : "";
            throw new UserError(ExitCodes.NOT_READY, "COMMAND_FAILED", e.getMessage() + longer
                    + ApplyCommand.outputTail(e.argv(), e.outputTail()), e, partial);
        } catch (RefusedException e) {
            throw new UserError(ExitCodes.REFUSED, "REFUSED", "refused: " + e.getMessage(), e, partial);
        } catch (PlanRefusedException e) {
            throw new UserError(ExitCodes.REFUSED, e.code(), "refused: " + e.getMessage(), e, partial);
        } catch (TransactionException e) {
            throw new UserError(ExitCodes.IO_ERROR, "IO_ERROR", e.getMessage(), e, partial);
        }
    }

    /** Asks on the terminal; refuses without one (scripts pass --yes). */
    static boolean confirm(PrintWriter out, String question) {
        java.io.Console console = System.console();
        if (console == null) {
            throw new UserError(ExitCodes.USAGE, "NEEDS_CONFIRMATION", question + " needs a confirmation and there is no "
                    + "terminal to ask on; review the output without --define and pass --yes", null, null);
        }
        out.print(question + " [y/N] ");
        out.flush();
        String answer = console.readLine();
        return answer != null && (answer.strip().equalsIgnoreCase("y") || answer.strip().equalsIgnoreCase("yes"));
    }
}
