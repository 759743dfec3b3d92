package passthrough.cli;

import java.io.Console;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import passthrough.core.apply.ApplyOptions;
import passthrough.core.apply.ApplyResult;
import passthrough.core.apply.CommandFailedException;
import passthrough.core.apply.CommandResult;
import passthrough.core.apply.JournaledCommand;
import passthrough.core.apply.JournaledFile;
import passthrough.core.apply.RecoveredTransaction;
import passthrough.core.apply.RefusedException;
import passthrough.core.apply.TransactionException;
import passthrough.core.plan.Plan;
import passthrough.core.plan.PlanApplier;
import passthrough.core.plan.PlanRefusedException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `passthrough apply`: execute a plan, journaled and reversible. */
@Command(name = "apply", exitCodeListHeading = "%nExit status:%n", exitCodeList = {" 0:applied (or nothing to change)", " 1:a command failed; every file was restored", " 2:usage error", " 3:refused for safety; nothing was written", " 4:an I/O error; every file was restored"},
        mixinStandardHelpOptions = true,
        description = {"Apply a plan (made now from --device, or saved by `plan --out`): back up and write each file "
                + "atomically, then run the commands inside the root; a failing command restores every file.",
            "Refuses a saved plan whose files changed since it was made. Undo with `passthrough rollback`.",
            "Exit 0 applied (or nothing to do), 1 a command failed (files restored), 2 usage, 3 refused, 4 I/O error."})
final class ApplyCommand extends Subcommand implements Callable<Integer> {

    static final class Source {
        @Option(names = "--device", paramLabel = "ADDR", description = "Plan for this device now and apply it; repeat "
                + "it to reserve several groups in one transaction.")
        List<String> device;

        @Parameters(paramLabel = "PLAN.json", arity = "0..1", description = "A plan saved with `plan --out`.")
        Path planFile;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Mixin
    ReservationOptions reservation;

    @Option(names = {"-y", "--yes"}, description = "Do not ask for confirmation (for scripts).")
    boolean yes;

    @Mixin
    CommandRunOptions commandRun;

    @Override
    public Integer call() {
        ApplyOptions options = commandRun.toApplyOptions();
        PrintWriter out = out();
        // A crash may have left a transaction half-applied. Finish or undo it BEFORE planning: a plan made from a
        // half-changed host would skip the files that already look done, and the executor's recovery would then
        // undo them under it (or, with nothing left to do, never run and leave update-grub unrun).
        recoverFirst(out, options);
        // whatever another apply/rollback does from here on, this one notices it and refuses (no interleaving)
        String journalMark = journalMark();
        Plan plan = source.device != null
                ? PlanCommand.make(global, reservation, source.device)
                : readPlan(source.planFile);
        if (plan.changesNothing()) {
            if (global.json) printJson(summary(plan, null));
            else out.println("Nothing to do: the host is already set up for " + String.join(", ", plan.targets()) + ".");
            out.flush();
            return ExitCodes.OK;
        }
        if (!global.json) PlanCommand.print(out, plan, null);
        if (!yes && !confirm(out)) {
            if (global.json) {
                throw new UserError(ExitCodes.NOT_READY, "NOT_CONFIRMED", "not applied: the changes were not confirmed",
                        null, summary(plan, null));
            }
            out.println("Not applied.");
            out.flush();
            return ExitCodes.NOT_READY;
        }
        try {
            ApplyResult result = PlanApplier.forRoot(global.root).withProgress(global.progress()).apply(plan, options, journalMark);
            report(out, result, plan);
            return ExitCodes.OK;
        } catch (CommandFailedException e) {
            String longer = e.outcome() == CommandResult.Outcome.TIMED_OUT ? " (--command-timeout SECONDS)" : "";
            throw new UserError(ExitCodes.NOT_READY, "COMMAND_FAILED", e.getMessage() + longer + outputTail(e.argv(), e.outputTail()), e, null);
        } catch (RefusedException e) {
            throw new UserError(ExitCodes.REFUSED, "refused: " + e.getMessage(), e);
        } catch (PlanRefusedException e) {
            throw new UserError(ExitCodes.REFUSED, e.code(), "refused: " + e.getMessage(), e, null);
        } catch (TransactionException e) {
            throw new UserError(ExitCodes.IO_ERROR, e.getMessage(), e);
        }
    }

    /** Lines shown under a failed command's message: the end of what it printed, as the user would have seen it. */
    static final int TAIL_SHOWN = 10;

    static String outputTail(List<String> argv, List<String> tail) {
        if (tail.isEmpty()) return "";
        List<String> shown = tail.subList(Math.max(0, tail.size() - TAIL_SHOWN), tail.size());
        StringBuilder sb = new StringBuilder("\n  last output of `" + String.join(" ", argv) + "`:");
        for (String l : shown) sb.append("\n    | ").append(l);
        return sb.toString();
    }

    private String journalMark() {
        if (!java.nio.file.Files.isDirectory(global.root)) return null; // the planner reports a bad --root (exit 2)
        try {
            return PlanApplier.forRoot(global.root).journalMark();
        } catch (RefusedException e) {
            throw new UserError(ExitCodes.REFUSED, "refused: " + e.getMessage(), e);
        } catch (TransactionException e) {
            throw new UserError(ExitCodes.IO_ERROR, e.getMessage(), e);
        }
    }

    /** What recoverFirst did, for the --json document's "recovered". */
    private final List<String> recoveredFirst = new ArrayList<>();

    private void recoverFirst(PrintWriter out, ApplyOptions options) {
        if (!java.nio.file.Files.isDirectory(global.root)) return; // the planner reports a bad --root (exit 2)
        // with --json stdout carries only the JSON document
        PrintWriter to = global.json ? spec.commandLine().getErr() : out;
        try {
            for (RecoveredTransaction t : PlanApplier.forRoot(global.root).withProgress(global.progress()).recoverFirst(options)) {
                to.println("Recovered an unfinished transaction first: " + t.message());
                recoveredFirst.add(t.message());
            }
            to.flush();
        } catch (RefusedException e) {
            throw new UserError(ExitCodes.REFUSED, "refused: " + e.getMessage(), e);
        } catch (TransactionException e) {
            throw new UserError(ExitCodes.IO_ERROR, e.getMessage(), e);
        }
    }

    private Plan readPlan(Path file) {
        try {
            return PlanApplier.forRoot(global.root).read(file);
        } catch (PlanRefusedException e) {
            throw new UserError(ExitCodes.REFUSED, "refused: " + e.getMessage(), e);
        } catch (RefusedException e) {
            throw new UserError(ExitCodes.REFUSED, "refused: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UserError(ExitCodes.USAGE, e.getMessage(), e);
        }
    }

    private boolean confirm(PrintWriter out) {
        Console console = System.console();
        if (console == null) {
            throw new UserError(ExitCodes.USAGE, "apply needs a confirmation and there is no terminal to ask on; "
                    + "review the plan with `passthrough plan` and pass --yes");
        }
        out.flush();
        String answer = console.readLine("Apply these changes? [y/N] ");
        return answer != null && (answer.strip().equalsIgnoreCase("y") || answer.strip().equalsIgnoreCase("yes"));
    }

    /** What --json prints: the transaction, each file's action and each command's outcome. */
    Map<String, Object> summary(Plan plan, ApplyResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("target", plan.target());
        m.put("targets", plan.targets());
        m.put("binding", plan.binding());
        m.put("txid", r == null || !r.changedAnything() ? null : r.txid());
        m.put("changed", r != null && r.changedAnything());
        List<Map<String, Object>> files = new ArrayList<>();
        if (r != null) for (JournaledFile f : r.files()) {
            Map<String, Object> fm = new LinkedHashMap<>(); // path first, always (Map.of's order varies by run)
            fm.put("path", f.path());
            fm.put("action", f.action().toString().toLowerCase(Locale.ROOT));
            files.add(fm);
        }
        m.put("files", files);
        List<Map<String, Object>> commands = new ArrayList<>();
        if (r != null) for (JournaledCommand c : r.commands()) {
            Map<String, Object> cm = new LinkedHashMap<>();
            cm.put("argv", c.argv());
            cm.put("status", c.status().toString().toLowerCase(Locale.ROOT));
            cm.put("exitStatus", c.exitStatus());
            commands.add(cm);
        }
        m.put("commands", commands);
        List<String> recovered = new ArrayList<>(recoveredFirst);
        if (r != null) r.recovered().forEach(t -> recovered.add(t.message()));
        m.put("recovered", recovered);
        m.put("rebootRequired", r != null && r.changedAnything() && plan.rebootRequired());
        return m;
    }

    private void report(PrintWriter out, ApplyResult r, Plan plan) {
        if (global.json) {
            printJson(summary(plan, r));
            return;
        }
        for (RecoveredTransaction t : r.recovered()) out.println("Recovered an unfinished transaction first: " + t.message());
        if (!r.changedAnything()) {
            out.println("Nothing changed: every file already had its new content.");
            out.flush();
            return;
        }
        out.println("Applied as transaction " + r.txid() + ":");
        for (JournaledFile f : r.files()) out.println("  " + f.action().toString().toLowerCase(java.util.Locale.ROOT) + " " + f.path());
        for (JournaledCommand c : r.commands()) {
            out.println("  ran " + String.join(" ", c.argv()) + ": " + c.status().toString().toLowerCase(java.util.Locale.ROOT));
        }
        out.println((plan.rebootRequired() ? "Reboot, then run `passthrough verify " + PlanCommand.devices(plan) + "`. " : "")
                + "Undo with `passthrough rollback " + r.txid() + "`.");
        out.flush();
    }
}
