package passthrough.core.plan;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import passthrough.core.apply.ApplyOptions;
import passthrough.core.apply.ApplyResult;
import passthrough.core.apply.CommandOperation;
import passthrough.core.apply.FileOperation;
import passthrough.core.apply.PlanExecutor;
import passthrough.core.apply.RecoveredTransaction;
import passthrough.core.apply.RefusedException;
import passthrough.core.apply.TransactionDescription;
import passthrough.core.apply.TransactionException;

/**
 * Applying a {@link Plan}: a saved plan is read and checked against the root it was made for, its files become the
 * executor's operations in the bytes of their own character set, and the executor runs them. `apply` in the CLI only
 * parses options, asks for confirmation and prints; the order that keeps a host safe (recover an unfinished
 * transaction before planning, take the journal mark before reading the host) lives here, next to the executor.
 */
public final class PlanApplier {
    private final Path root;
    private final PlanExecutor executor;

    private PlanApplier(Path root, PlanExecutor executor) {
        this.root = root;
        this.executor = executor;
    }

    public static PlanApplier forRoot(Path root) throws RefusedException {
        return new PlanApplier(root, PlanExecutor.forRoot(root));
    }

    /** The same applier, telling {@code progress} about each command its executor runs. */
    public PlanApplier withProgress(passthrough.core.apply.CommandProgress progress) {
        return new PlanApplier(root, executor.withProgress(progress));
    }

    /**
     * Finishes or undoes what a crash left, BEFORE a plan is made: a plan made from a half-changed host would skip the
     * files that already look done, and the executor's recovery would then undo them under it.
     */
    public List<RecoveredTransaction> recoverFirst(ApplyOptions options) throws TransactionException {
        return executor.recover(options);
    }

    /** Taken before the host is read for a plan: an apply or rollback that runs in between makes this one refuse. */
    public String journalMark() throws TransactionException {
        return executor.journalMark();
    }

    /** A plan saved by `plan --out`, refused when it was made for another root. */
    public Plan read(Path file) throws IOException, PlanRefusedException {
        Plan plan = PlanFiles.read(file);
        String here = root.toRealPath().toString();
        if (!plan.root().equals(here)) {
            throw new PlanRefusedException("OTHER_ROOT", file + " was made for the root " + plan.root() + ", not " + here
                    + "; make the plan again with --root " + here, null);
        }
        return plan;
    }

    /**
     * Applies {@code plan} as one journaled transaction.
     *
     * @throws PlanRefusedException a planned text cannot be written in its file's character set; nothing was written
     * @throws TransactionException as {@link PlanExecutor#apply}: refused, a command failed (files restored), I/O
     */
    public ApplyResult apply(Plan plan, ApplyOptions options, String journalMark)
            throws PlanRefusedException, TransactionException {
        String title = plan.targets().size() > 1 ? "reserve the IOMMU groups of " + String.join(", ", plan.targets())
                : "reserve the IOMMU group of " + plan.target();
        return apply(new TransactionDescription(plan.target(), title + " for " + plan.binding()), plan.files(), plan.commands(),
                options, journalMark);
    }

    /**
     * Applies planned files and commands (a VM's definition, its removal) as one journaled transaction, each command
     * with its undo.
     */
    public ApplyResult apply(TransactionDescription description, List<PlannedFile> plannedFiles,
                             List<PlannedCommand> plannedCommands, ApplyOptions options, String journalMark)
            throws PlanRefusedException, TransactionException {
        List<FileOperation> files = new ArrayList<>();
        for (PlannedFile f : plannedFiles) {
            try {
                files.add(new FileOperation(f.path(), f.beforeDigest(), f.afterBytes(), f.executable()));
            } catch (IOException e) {
                throw new PlanRefusedException("NOT_ENCODABLE", e.getMessage(), null);
            }
        }
        List<CommandOperation> commands = new ArrayList<>();
        for (PlannedCommand c : plannedCommands) commands.add(new CommandOperation(c.argv(), null, c.undo()));
        return executor.apply(description, files, commands, options, journalMark);
    }
}
