package passthrough.core.apply;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One apply after the checks passed: back up, journal, write every file, run every command; on any failure
 * restore the files and say why. Each step is journaled before the next starts.
 */
final class TransactionRun {
    private final TargetResolver resolver;
    private final Journal journal;
    private final CommandRunner runner;
    private final Restorer restorer;
    private final StepHook hook;

    TransactionRun(TargetResolver resolver, Journal journal, CommandRunner runner, Restorer restorer, StepHook hook) {
        this.resolver = resolver;
        this.journal = journal;
        this.runner = runner;
        this.restorer = restorer;
        this.hook = hook;
    }

    ApplyResult execute(TransactionDescription description, List<PreflightedFile> planned, List<CommandOperation> commands,
                        ApplyOptions options, List<RecoveredTransaction> recovered) throws TransactionException {
        String txid = Journal.newTxid();
        JournalManifest m;
        try {
            m = plan(txid, description, planned, commands, options);
        } catch (IOException e) {
            // no host file was touched yet: only the journal could not be written
            throw new ApplyFailedException("journal " + journal.directory(txid) + ": cannot be written (" + e.getMessage()
                    + "); nothing on the host was changed; free space or fix the disk and apply again", e);
        }
        hook.reached("planned", m);
        int fileIndex = -1;
        try {
            for (int i = 0; i < m.files().size(); i++) {
                fileIndex = i;
                JournaledFile f = m.files().get(i);
                if (f.action() == FileAction.UNCHANGED) continue;
                write(txid, f, planned.get(i));
                m = m.withFile(i, f.withStatus(JournaledFile.Status.WRITTEN));
                journal.save(m);
                hook.reached("file-written", m);
            }
            fileIndex = -1;
            m = m.withState(TransactionState.FILES_WRITTEN, null);
            journal.save(m);
            hook.reached("files-written", m);
            for (int i = 0; i < m.commands().size(); i++) {
                JournaledCommand c = m.commands().get(i);
                if (c.status() == JournaledCommand.Status.SKIPPED) continue;
                m = m.withCommand(i, c.withStatus(JournaledCommand.Status.RUNNING));
                journal.save(m);
                FaultInjection.point("command-start " + String.join(" ", c.argv()));
                JournalManifest[] current = {m};
                int index = i;
                CommandResult r = runner.run(c.argv(), options.timeoutFor(commands.get(i)), process -> {
                    current[0] = current[0].withCommand(index, c.running(process));
                    saveQuietly(current[0]);
                });
                m = current[0];
                FaultInjection.point("command-end " + String.join(" ", c.argv()));
                m = m.withCommand(i, c.withResult(r));
                journal.save(m);
                hook.reached("command-run", m);
                if (!r.ok()) throw commandFailed(m, c, r, options);
            }
            m = m.withState(TransactionState.COMMANDS_RUN, null);
            journal.save(m);
            hook.reached("commands-run", m);
            m = m.withState(TransactionState.DONE, null);
            journal.save(m);
        } catch (IOException | RuntimeException e) {
            String what = fileIndex >= 0 ? "writing " + m.files().get(fileIndex).path() : "updating the journal";
            throw writeFailed(m, what, e, options);
        }
        return new ApplyResult(txid, m.files(), m.commands(), recovered);
    }

    /**
     * Journals a running command's process. If that fails the journal still says RUNNING (saved before the start),
     * only without the pid: the command is not stopped for it.
     */
    private void saveQuietly(JournalManifest m) {
        try {
            journal.save(m);
        } catch (IOException e) {
            // see above
        }
    }

    /** Backups first, then the manifest: until it exists no host file is touched, so recovery may drop the directory. */
    private JournalManifest plan(String txid, TransactionDescription d, List<PreflightedFile> planned,
                                 List<CommandOperation> commands, ApplyOptions options) throws IOException {
        journal.create(txid);
        List<JournaledFile> files = new ArrayList<>();
        Set<String> createdDirectories = new LinkedHashSet<>();
        int backups = 0;
        for (PreflightedFile p : planned) {
            String backup = null;
            if (p.currentBytes() != null && p.action() != FileAction.UNCHANGED) {
                backup = journal.writeBackup(txid, ++backups, p.currentBytes());
            }
            if (p.action() == FileAction.CREATE) createdDirectories.addAll(p.target().missingDirectories());
            files.add(new JournaledFile(p.target().requested(), p.target().realPath(), p.action(), p.digestBefore(),
                    p.digestAfter(), backup, p.ownership().octalMode(), p.ownership().uid(), p.ownership().gid(),
                    p.action() == FileAction.UNCHANGED ? JournaledFile.Status.UNCHANGED : JournaledFile.Status.PENDING));
        }
        List<JournaledCommand> cmds = new ArrayList<>();
        for (CommandOperation c : commands) {
            cmds.add(new JournaledCommand(c.argv(), options.timeoutFor(c).toSeconds(),
                    options.runCommands() ? JournaledCommand.Status.PENDING : JournaledCommand.Status.SKIPPED, null, null)
                    .withUndo(c.undoArgv()));
        }
        String now = JournalManifest.now();
        JournalManifest m = new JournalManifest(JournalManifest.FORMAT, txid, d.planId(), d.title(),
                resolver.root().toString(), now, now, ProcessHandle.current().pid(), TransactionState.PLANNED, null, false,
                null, new ArrayList<>(createdDirectories), files, cmds, List.of());
        journal.save(m);
        return m;
    }

    private void write(String txid, JournaledFile f, PreflightedFile p) throws IOException {
        Path real = resolver.root().resolve(f.realPath());
        if (f.action() == FileAction.DELETE) {
            AtomicFiles.delete(real);
            return;
        }
        for (String dir : p.target().missingDirectories()) {
            Path d = resolver.root().resolve(dir);
            if (!Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) AtomicFiles.createDirectory(d);
        }
        AtomicFiles.write(real, p.newContent(), p.newOwnership(), txid);
    }

    private TransactionException commandFailed(JournalManifest m, JournaledCommand c, CommandResult r, ApplyOptions options) {
        String display = "`" + String.join(" ", c.argv()) + "`";
        String head = "command " + display + " " + r.describe(c.timeoutSeconds()) + " (last output: " + r.lastLine() + ")";
        String restored;
        try {
            JournalManifest end = restorer.restore(m, RollbackCause.APPLY_FAILED, false, head, options);
            restored = restoredPhrase(end);
        } catch (IOException e) {
            restored = "restoring the files failed too (" + e.getMessage() + "); run apply or rollback again to let recover finish";
        }
        String wayOut = r.outcome() == CommandResult.Outcome.TIMED_OUT
                ? "if it just needs longer, apply again with a longer command timeout"
                : "fix what the output says and apply again, or apply without commands and run it yourself";
        return new CommandFailedException(head + "; " + restored + " (transaction " + m.txid() + "); " + wayOut,
                m.txid(), c.argv(), r);
    }

    private TransactionException writeFailed(JournalManifest m, String what, Exception e, ApplyOptions options) {
        String head = what + " failed (" + e.getMessage() + ")";
        String restored;
        try {
            restored = restoredPhrase(restorer.restore(m, RollbackCause.APPLY_FAILED, false, head, options));
        } catch (IOException | RuntimeException again) {
            restored = "restoring the files failed too (" + again.getMessage() + "); run apply or rollback again to let recover finish";
        }
        return new ApplyFailedException(head + "; " + restored + " (transaction " + m.txid()
                + "); check the disk (space, read-only mount) and apply again", e);
    }

    private static String restoredPhrase(JournalManifest end) {
        boolean all = end.files().stream().noneMatch(f -> f.status() == JournaledFile.Status.LEFT_CHANGED);
        String files = all ? "all files were restored to their state before the transaction"
                : "some files could not be restored: " + end.reason();
        for (JournaledCommand c : end.rollbackCommands()) {
            if (c.status() == JournaledCommand.Status.OK || c.status() == JournaledCommand.Status.SKIPPED) continue;
            files += ", but `" + String.join(" ", c.argv()) + "` run again on them ended " + c.status().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')
                    + ", so what it generates may not match them: run it by hand before rebooting";
        }
        return files;
    }
}
