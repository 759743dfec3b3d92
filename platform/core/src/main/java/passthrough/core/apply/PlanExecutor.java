package passthrough.core.apply;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The only code that changes a host: applies a plan's file operations and commands as one journaled, atomic,
 * reversible transaction, rolls transactions back, lists them, and recovers from crashes.
 *
 * <p>Every apply and rollback takes the root's lock and first finishes any transaction a crash left behind,
 * so the host is always in a state the journal can explain.
 */
public final class PlanExecutor {
    /** {@link #rollback} argument meaning "the newest transaction that is done". */
    public static final String LATEST = "latest";

    private final TargetResolver resolver;
    private final CommandRunner runner;
    private final StepHook hook;

    private PlanExecutor(TargetResolver resolver, StepHook hook) {
        this(resolver, hook, CommandProgress.NONE);
    }

    private PlanExecutor(TargetResolver resolver, StepHook hook, CommandProgress progress) {
        this.resolver = resolver;
        this.runner = new CommandRunner(resolver, progress);
        this.hook = hook;
    }

    /** The same executor, telling {@code progress} about each command it runs (apply, rollback, recovery). */
    public PlanExecutor withProgress(CommandProgress progress) {
        return new PlanExecutor(resolver, hook, progress);
    }

    /**
     * An executor for the host under {@code root} ("/" for this machine).
     *
     * @throws RefusedException when {@code root} is no directory
     */
    public static PlanExecutor forRoot(Path root) throws RefusedException {
        return forRoot(root, StepHook.NONE);
    }

    static PlanExecutor forRoot(Path root, StepHook hook) throws RefusedException {
        if (!Files.isDirectory(root)) {
            throw RefusedException.about("--root " + root, "is not a directory", "give the root directory of the host to change, or / for this machine");
        }
        try {
            return new PlanExecutor(new TargetResolver(root.toRealPath()), hook);
        } catch (IOException e) {
            throw RefusedException.about("--root " + root, "cannot be opened (" + e.getMessage() + ")", "check the path and permissions");
        }
    }

    /**
     * Applies the file operations in order, then the commands in order.
     *
     * @throws RefusedException        a check failed; nothing was written
     * @throws CommandFailedException  a command failed; the files were restored
     * @throws ApplyFailedException    a write failed; the files were restored
     */
    public ApplyResult apply(TransactionDescription description, List<FileOperation> files,
                             List<CommandOperation> commands, ApplyOptions options) throws TransactionException {
        return apply(description, files, commands, options, null);
    }

    /**
     * What the journal says now, for {@link #apply(TransactionDescription, List, List, ApplyOptions, String)}: take it
     * before reading the host to make a plan.
     */
    public String journalMark() throws TransactionException {
        Journal journal = journal();
        try {
            return journal.mark();
        } catch (IOException e) {
            throw journalUnreadable(journal, e);
        }
    }

    /**
     * As {@link #apply(TransactionDescription, List, List, ApplyOptions)}, but refused (nothing written) when another
     * apply or rollback ran since {@code journalMark} was taken: the plan was then made from a host another process
     * was changing — possibly half-way — and its files that "already look done" or commands may be wrong.
     *
     * @param journalMark from {@link #journalMark()} before the plan was made, or null for no such check
     */
    @SuppressWarnings("try") // the lock is held for the block, never used in it
    public ApplyResult apply(TransactionDescription description, List<FileOperation> files,
                             List<CommandOperation> commands, ApplyOptions options, String journalMark)
            throws TransactionException {
        Objects.requireNonNull(description, "description");
        List<FileOperation> fileList = List.copyOf(files);
        List<CommandOperation> commandList = List.copyOf(commands);
        Objects.requireNonNull(options, "options");
        Journal journal = journal();
        Preflight preflight = new Preflight(resolver, runner);
        try {
            // Checked once before the lock so that a refused plan leaves no trace at all, not even a lock file.
            // (When a crash left a transaction, the files may be half-applied; recover first, then judge.)
            if (!journal.hasUnfinished()) preflight.check(fileList, commandList, options);
        } catch (IOException e) {
            throw journalUnreadable(journal, e);
        }
        try (ExecutorLock lock = ExecutorLock.acquire(journal.lockFile())) {
            if (journalMark != null && !journalMark.equals(journal.mark())) {
                throw new RefusedException("another passthrough apply or rollback changed this host while the plan was "
                        + "being made (see history); nothing was written; make the plan again and apply it");
            }
            List<RecoveredTransaction> recovered = recovery(journal).run(options);
            List<PreflightedFile> planned = preflight.check(fileList, commandList, options);
            // a command that is not a generator (its undo is not "run again": grubby, rpm-ostree kargs, virsh define)
            // changes state outside the files: it is the change itself and runs even when no file changes
            if (planned.stream().allMatch(p -> p.action() == FileAction.UNCHANGED)
                    && commandList.stream().allMatch(c -> c.undo().isRerun())) {
                return nothingToDo(planned, commandList, options, recovered);
            }
            return new TransactionRun(resolver, journal, runner, restorer(journal), hook)
                    .execute(description, planned, commandList, options, recovered);
        } catch (IOException e) {
            throw journalUnreadable(journal, e);
        }
    }

    /**
     * Restores every file of a done transaction to its state before it and re-runs the commands that had run
     * (so generated files follow).
     *
     * @param txidOrLatest a transaction id from {@link #history()}, or {@link #LATEST}
     * @param force        overwrite files changed since the transaction instead of refusing
     * @throws RefusedException no such transaction, not done, or a file changed since (and not forced)
     */
    @SuppressWarnings("try") // the lock is held for the block, never used in it
    public RollbackResult rollback(String txidOrLatest, boolean force, ApplyOptions options) throws TransactionException {
        Journal journal = journal();
        try (ExecutorLock lock = ExecutorLock.acquire(journal.lockFile())) {
            List<RecoveredTransaction> recovered = recovery(journal).run(options);
            Optional<RollbackResult> done = undoneByRecovery(journal, txidOrLatest, recovered);
            if (done.isEmpty()) done = alreadyRolledBack(journal, txidOrLatest, recovered);
            if (done.isPresent()) return done.get();
            JournalManifest m = pick(journal, txidOrLatest);
            Restorer restorer = restorer(journal);
            List<JournaledFile> changed = restorer.changedSince(m);
            if (!changed.isEmpty() && !force) {
                JournaledFile f = changed.get(0);
                throw RefusedException.about(f.path(), "changed since transaction " + m.txid() + " wrote it"
                        + (changed.size() > 1 ? " (and " + (changed.size() - 1) + " more file(s))" : "")
                        + "; nothing was rolled back", "look at the change, then roll back with force to overwrite it with the backup");
            }
            JournalManifest end = restorer.restore(m, RollbackCause.USER, force,
                    force ? "rolled back by user (forced)" : "rolled back by user", options);
            List<JournaledCommand> rerun = end.rollbackCommands();
            return new RollbackResult(m.txid(), m.title(), end.state(), end.reason(), end.files(), rerun, recovered);
        } catch (IOException e) {
            throw journalUnreadable(journal, e);
        }
    }

    /** Finishes or rolls back transactions a crash left unfinished; empty when there were none. */
    @SuppressWarnings("try") // the lock is held for the block, never used in it
    public List<RecoveredTransaction> recover(ApplyOptions options) throws TransactionException {
        Journal journal = journal();
        try {
            if (!journal.hasUnfinished()) return List.of();
        } catch (IOException e) {
            throw journalUnreadable(journal, e);
        }
        try (ExecutorLock lock = ExecutorLock.acquire(journal.lockFile())) {
            return recovery(journal).run(options);
        } catch (IOException e) {
            throw journalUnreadable(journal, e);
        }
    }

    /** Every journaled transaction, newest first. */
    public List<TransactionSummary> history() throws TransactionException {
        Journal journal = journal();
        try {
            List<TransactionSummary> out = new ArrayList<>();
            for (String txid : journal.txids()) journal.load(txid).ifPresent(m -> out.add(TransactionSummary.of(m)));
            Collections.reverse(out);
            return out;
        } catch (IOException e) {
            throw journalUnreadable(journal, e);
        }
    }

    /**
     * When recovery has just rolled back the transaction this rollback is about — the newest one for "latest": an
     * interrupted rollback it finished, or an interrupted apply it undid — the job is done; rolling back the next
     * older transaction as well would undo more than the user asked for.
     */
    private static Optional<RollbackResult> undoneByRecovery(Journal journal, String txidOrLatest,
                                                             List<RecoveredTransaction> recovered) throws IOException {
        for (int i = recovered.size() - 1; i >= 0; i--) {
            RecoveredTransaction r = recovered.get(i);
            if (r.outcome() != TransactionState.ROLLED_BACK) continue;
            if (!LATEST.equals(txidOrLatest) && !txidOrLatest.equals(r.txid())) continue;
            if (LATEST.equals(txidOrLatest) && !isNewest(journal, r.txid())) continue;
            Optional<JournalManifest> end = journal.load(r.txid());
            if (end.isEmpty()) continue;
            JournalManifest m = end.get();
            return Optional.of(new RollbackResult(m.txid(), m.title(), m.state(), m.reason(), m.files(),
                    m.rollbackCommands(), recovered));
        }
        return Optional.empty();
    }

    /**
     * "Roll back X" when X is already rolled back is done, not an error: a rollback killed after its last journal
     * write looks unfinished to the user, who runs it again.
     */
    private static Optional<RollbackResult> alreadyRolledBack(Journal journal, String txid,
                                                              List<RecoveredTransaction> recovered) throws IOException {
        if (LATEST.equals(txid) || !txid.matches("[0-9A-Za-z-]+")) return Optional.empty();
        Optional<JournalManifest> loaded = journal.load(txid);
        if (loaded.isEmpty() || loaded.get().state() != TransactionState.ROLLED_BACK) return Optional.empty();
        JournalManifest m = loaded.get();
        return Optional.of(new RollbackResult(m.txid(), m.title(), m.state(), "already rolled back ("
                + (m.reason() == null ? "earlier" : m.reason()) + "); nothing to do", m.files(), List.of(), recovered));
    }

    /** Whether no transaction with a manifest is newer than {@code txid}. */
    private static boolean isNewest(Journal journal, String txid) throws IOException {
        List<String> ids = journal.txids();
        for (int i = ids.size() - 1; i >= 0; i--) {
            if (journal.load(ids.get(i)).isPresent()) return ids.get(i).equals(txid);
        }
        return false;
    }

    private JournalManifest pick(Journal journal, String txidOrLatest) throws IOException, RefusedException {
        if (LATEST.equals(txidOrLatest)) {
            List<String> ids = journal.txids();
            for (int i = ids.size() - 1; i >= 0; i--) {
                Optional<JournalManifest> m = journal.load(ids.get(i));
                if (m.isPresent() && m.get().state() == TransactionState.DONE) return m.get();
            }
            throw new RefusedException("rollback latest: no transaction is done and not yet rolled back; see history");
        }
        if (!txidOrLatest.matches("[0-9A-Za-z-]+")) {
            throw RefusedException.about("transaction " + txidOrLatest, "is not a transaction id", "pick one from history");
        }
        Optional<JournalManifest> m = journal.load(txidOrLatest);
        if (m.isEmpty()) throw RefusedException.about("transaction " + txidOrLatest, "does not exist", "pick one from history");
        if (m.get().state() != TransactionState.DONE) {
            throw RefusedException.about("transaction " + txidOrLatest, "is " + Recovery.label(m.get().state())
                    + ", not done, so there is nothing to roll back", "pick a done one from history");
        }
        return m.get();
    }

    private ApplyResult nothingToDo(List<PreflightedFile> planned, List<CommandOperation> commands, ApplyOptions options,
                                    List<RecoveredTransaction> recovered) {
        List<JournaledFile> files = planned.stream().map(p -> new JournaledFile(p.target().requested(), p.target().realPath(),
                FileAction.UNCHANGED, p.digestBefore(), p.digestAfter(), null, p.ownership().octalMode(), p.ownership().uid(),
                p.ownership().gid(), JournaledFile.Status.UNCHANGED)).toList();
        // The commands regenerate from the files; with no file changed they would regenerate the same thing.
        List<JournaledCommand> cmds = commands.stream().map(c -> new JournaledCommand(c.argv(),
                options.timeoutFor(c).toSeconds(), JournaledCommand.Status.SKIPPED, null, List.of("not needed: no file changed"),
                c.undo())).toList();
        return new ApplyResult(null, files, cmds, recovered);
    }

    private Journal journal() throws RefusedException {
        Journal journal = new Journal(resolver.resolveOwnDirectory(TargetResolver.JOURNAL_DIR));
        Optional<java.nio.file.Path> link;
        try {
            link = journal.plantedLink();
        } catch (IOException e) {
            throw RefusedException.about("/" + TargetResolver.JOURNAL_DIR, "cannot be examined (" + e.getMessage() + ")",
                    "check the directory and retry");
        }
        if (link.isPresent()) {
            throw RefusedException.about(link.get().toString(), "is a symbolic link inside passthrough's journal, which "
                    + "passthrough never writes through (it could point outside the root)",
                    "remove the link (an unpacked or copied root may carry one) and try again");
        }
        return journal;
    }

    private Restorer restorer(Journal journal) {
        return new Restorer(resolver, journal, runner);
    }

    private Recovery recovery(Journal journal) {
        return new Recovery(journal, restorer(journal));
    }

    private static ApplyFailedException journalUnreadable(Journal journal, IOException e) {
        return new ApplyFailedException("journal " + journal.transactions() + ": " + e.getMessage()
                + "; check the disk and that the directory is readable, then try again", e);
    }
}
