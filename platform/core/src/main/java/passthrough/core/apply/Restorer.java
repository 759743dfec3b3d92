package passthrough.core.apply;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Puts a transaction's files back as they were before it: byte for byte from the backups, with the original
 * mode and owner; files it created are deleted, directories it created are removed when empty.
 *
 * <p>Which files to touch is decided from digests, not from the journal's per-file status: a crash between
 * a rename and the journal update leaves "pending" on a file that was written, and the digest still tells.
 * A file whose content is neither the transaction's before nor its after was changed by someone else; it is
 * only overwritten when forced.
 */
final class Restorer {
    private final TargetResolver resolver;
    private final Journal journal;
    private final CommandRunner runner;

    Restorer(TargetResolver resolver, Journal journal, CommandRunner runner) {
        this.resolver = resolver;
        this.journal = journal;
        this.runner = runner;
    }

    /** Files changed since the transaction (neither its before nor its after content), in journal order. */
    List<JournaledFile> changedSince(JournalManifest m) throws IOException {
        List<JournaledFile> out = new ArrayList<>();
        for (JournaledFile f : m.files()) {
            if (f.action() == FileAction.UNCHANGED) continue;
            String now = currentDigest(f);
            if (!now.equals(f.digestBefore()) && !now.equals(f.digestAfter())) out.add(f);
        }
        return out;
    }

    /**
     * Restores every file; journals ROLLING_BACK first so a crash here is continued by recover().
     *
     * @param options whether to re-run the commands that had succeeded, so files they generate (grub.cfg, the
     *                initramfs) follow the restored sources again
     * @return the final manifest: the cause's end state, or FAILED naming files left as someone changed them
     */
    JournalManifest restore(JournalManifest manifest, RollbackCause cause, boolean force, String reason,
                            ApplyOptions options) throws IOException {
        // A command of a run that died (update-grub, say) may still be running: stop it first, or it would write what
        // it generated from the new files after they are restored.
        List<String> stopped = stopOrphans(manifest);
        if (!stopped.isEmpty()) reason = append(reason, "stopped " + String.join(", ", stopped) + ", still running from the interrupted run");
        JournalManifest m = manifest.rollingBack(cause, force, reason);
        journal.save(m);
        List<String> leftChanged = new ArrayList<>();
        for (int i = m.files().size() - 1; i >= 0; i--) {
            JournaledFile f = m.files().get(i);
            if (f.action() == FileAction.UNCHANGED) continue;
            Path real = resolver.root().resolve(f.realPath());
            Path temp = AtomicFiles.tempFor(real, m.txid());
            if (Files.exists(temp, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                FaultInjection.point("temp-remove " + temp);
                Files.delete(temp);
            }
            String now = currentDigest(f);
            if (!now.equals(f.digestBefore())) {
                if (!now.equals(f.digestAfter()) && !force) {
                    leftChanged.add(f.path());
                    m = m.withFile(i, f.withStatus(JournaledFile.Status.LEFT_CHANGED));
                    journal.save(m);
                    continue;
                }
                putBack(m.txid(), f, real);
            }
            m = m.withFile(i, f.withStatus(JournaledFile.Status.RESTORED));
            journal.save(m);
        }
        List<String> keptDirectories = new ArrayList<>();
        List<String> dirs = m.createdDirectories();
        for (int i = dirs.size() - 1; i >= 0; i--) {
            if (!AtomicFiles.removeDirectoryIfEmpty(resolver.root().resolve(dirs.get(i)))) keptDirectories.add(dirs.get(i));
        }
        m = m.withRollbackCommands(rerunCommands(m, options));
        String why = reason;
        if (!keptDirectories.isEmpty()) why = append(why, "kept directories that are not empty: " + String.join(", ", keptDirectories));
        if (!leftChanged.isEmpty()) {
            why = append(why, "not restored because they changed since the transaction: " + String.join(", ", leftChanged)
                    + " (their backups are in " + journal.directory(m.txid()) + "; rollback with force to overwrite)");
            m = m.withState(TransactionState.FAILED, why);
        } else {
            m = m.withState(cause.endState(), why);
        }
        journal.save(m);
        return m;
    }

    private void putBack(String txid, JournaledFile f, Path real) throws IOException {
        if (f.wasAbsent()) {
            AtomicFiles.delete(real);
            return;
        }
        byte[] bytes = journal.readBackup(txid, f.backup());
        if (!FileDigest.of(bytes).equals(f.digestBefore())) {
            throw new IOException("backup " + f.backup() + " of " + f.path() + " in transaction " + txid
                    + " does not match its recorded digest; restore it by hand");
        }
        AtomicFiles.write(real, bytes, f.ownership(), txid);
    }

    /**
     * Undoes the commands that had started, after the files are restored. A generator (undo "rerun") runs again
     * against the restored files, so what it generates (grub.cfg, the initramfs) follows the restored sources;
     * "started" includes RUNNING — a crash while update-grub ran may come after it rewrote grub.cfg — and FAILED or
     * TIMED_OUT, which may have written part of their output before they stopped. A command with an inverse (undo
     * "run": {@code virsh define} -> {@code virsh undefine}) has it run when the command succeeded or may have
     * (RUNNING at a crash), last command first; one that failed changed nothing to undo. A command whose result is
     * kept on purpose (a new disk image that may hold the guest's data) is journaled as KEPT with the reason.
     * Generators run first, in their order, then the inverses in reverse order.
     */
    private List<JournaledCommand> rerunCommands(JournalManifest m, ApplyOptions options) {
        List<JournaledCommand> todo = new ArrayList<>();
        for (JournaledCommand c : m.commands()) {
            if (started(c.status()) && c.undo().isRerun()) {
                todo.add(new JournaledCommand(c.argv(), c.timeoutSeconds(), JournaledCommand.Status.PENDING, null, null, c.undo()));
            }
        }
        for (int i = m.commands().size() - 1; i >= 0; i--) {
            JournaledCommand c = m.commands().get(i);
            if (c.status() == JournaledCommand.Status.SKIPPED && UndoStep.RUN.equals(c.undo().kind())) {
                // apply left it to the user (--no-commands): whoever ran it runs the inverse too; say which
                todo.add(new JournaledCommand(c.undo().argv(), c.timeoutSeconds(), JournaledCommand.Status.SKIPPED, null,
                        List.of("apply only listed `" + String.join(" ", c.argv()) + "`; if you ran it, run this"), UndoStep.rerun()));
                continue;
            }
            boolean mayHaveChanged = c.status() == JournaledCommand.Status.OK || c.status() == JournaledCommand.Status.RUNNING;
            if (!mayHaveChanged) continue;
            if (UndoStep.RUN.equals(c.undo().kind())) {
                todo.add(new JournaledCommand(c.undo().argv(), c.timeoutSeconds(), JournaledCommand.Status.PENDING, null, null,
                        UndoStep.rerun()));
            } else if (UndoStep.KEEP.equals(c.undo().kind())) {
                todo.add(new JournaledCommand(c.argv(), c.timeoutSeconds(), JournaledCommand.Status.KEPT, null,
                        List.of(c.undo().why()), c.undo()));
            }
        }
        List<JournaledCommand> out = new ArrayList<>();
        for (JournaledCommand entry : todo) {
            if (entry.status() == JournaledCommand.Status.KEPT || entry.status() == JournaledCommand.Status.SKIPPED) {
                out.add(entry);
                continue;
            }
            if (!options.runCommands()) {
                out.add(entry.withStatus(JournaledCommand.Status.SKIPPED));
                continue;
            }
            FaultInjection.point("command-start " + String.join(" ", entry.argv()));
            List<JournaledCommand> sofar = List.copyOf(out);
            CommandResult r = runner.run(entry.argv(), Duration.ofSeconds(entry.timeoutSeconds()), process -> {
                List<JournaledCommand> withRunning = new ArrayList<>(sofar);
                withRunning.add(entry.running(process));
                try {
                    journal.save(m.withRollbackCommands(withRunning));
                } catch (IOException e) {
                    // the journal says rolling-back without this pid: the command is then not stopped after a crash
                }
            });
            FaultInjection.point("command-end " + String.join(" ", entry.argv()));
            out.add(entry.withResult(r));
        }
        return out;
    }

    /**
     * Kills (SIGKILL, children first) the processes the journal names as running commands, when the same process
     * (same pid and start time) still runs; returns what was stopped, e.g. "`update-grub` (pid 4242)".
     */
    static List<String> stopOrphans(JournalManifest m) {
        List<String> stopped = new ArrayList<>();
        List<JournaledCommand> all = new ArrayList<>(m.commands());
        all.addAll(m.rollbackCommands());
        for (JournaledCommand c : all) {
            if (c.status() != JournaledCommand.Status.RUNNING || c.pid() == null || c.processStart() == null) continue;
            java.util.Optional<ProcessHandle> h = ProcessHandle.of(c.pid());
            if (h.isEmpty() || !h.get().isAlive()
                    || !h.get().info().startInstant().map(Object::toString).orElse("").equals(c.processStart())) continue;
            h.get().descendants().forEach(ProcessHandle::destroyForcibly);
            h.get().destroyForcibly();
            try {
                h.get().onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                // it is gone or going; restoring the files goes on
            }
            stopped.add("`" + String.join(" ", c.argv()) + "` (pid " + c.pid() + ")");
        }
        return stopped;
    }

    private static boolean started(JournaledCommand.Status s) {
        return s == JournaledCommand.Status.OK || s == JournaledCommand.Status.RUNNING
                || s == JournaledCommand.Status.FAILED || s == JournaledCommand.Status.TIMED_OUT;
    }

    /** The file's digest now; a link where a file was is never "the same" (and is not followed out of the root). */
    private String currentDigest(JournaledFile f) throws IOException {
        Path real = resolver.root().resolve(f.realPath());
        if (Files.isSymbolicLink(real)) return "symbolic-link";
        if (Files.isDirectory(real)) return "directory";
        return FileDigest.ofFile(real);
    }

    private static String append(String a, String b) {
        return a == null || a.isEmpty() ? b : a + "; " + b;
    }
}
