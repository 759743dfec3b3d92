package passthrough.core.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real commands, run with chroot inside a temporary root holding a static busybox. */
class CommandTest {
    @TempDir
    Path dir;
    TestRoot host;
    Map<String, String> before;

    @BeforeEach
    void makeRoot() throws Exception {
        host = new TestRoot(dir.resolve("host"));
        host.installBusybox();
        before = host.snapshot();
    }

    private CommandFailedException failing(List<CommandOperation> commands) throws Exception {
        PlanExecutor ex = host.executor();
        CommandFailedException e = assertThrows(CommandFailedException.class, () -> ex.apply(TestRoot.description(),
                host.typicalPlan(), commands, new ApplyOptions(true, Duration.ofSeconds(1))));
        assertEquals(before, host.snapshot(), "files restored byte-identically, created ones deleted");
        assertEquals(TransactionState.FAILED, ex.history().get(0).state());
        assertTrue(e.getMessage().contains("all files were restored"), e.getMessage());
        assertTrue(e.getMessage().contains("transaction " + e.txid()), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line");
        return e;
    }

    @Test
    void commandsRunInsideTheRootAfterTheFiles() throws Exception {
        ApplyResult r = host.executor().apply(TestRoot.description(), host.typicalPlan(), List.of(
                // proves chroot (the root's /etc/default/grub) and order (files are already written)
                new CommandOperation(List.of("/bin/busybox", "grep", "-c", "intel_iommu", "/etc/default/grub"), null),
                new CommandOperation(List.of("/bin/busybox", "sh", "-c", "echo out; echo err >&2"), null)),
                ApplyOptions.defaults());
        assertEquals(List.of(JournaledCommand.Status.OK, JournaledCommand.Status.OK),
                r.commands().stream().map(JournaledCommand::status).toList());
        assertEquals(List.of("1"), r.commands().get(0).outputTail());
        assertEquals(List.of("out", "err"), r.commands().get(1).outputTail());
        assertEquals(TestRoot.GRUB_NEW, host.read("etc/default/grub"));
    }

    /**
     * A command with an undo (grubby, rpm-ostree kargs: state outside the files) runs even when no file changes, and
     * rollback runs its undo, not the command again; a regenerating command beside it runs again as before.
     */
    @Test
    void aCommandWithAnUndoRunsItsUndoOnRollback() throws Exception {
        PlanExecutor ex = host.executor();
        String log = "/etc/args.log";
        CommandOperation stateful = new CommandOperation(List.of("/bin/busybox", "sh", "-c", "echo add >> " + log), null,
                new UndoStep(UndoStep.RUN, List.of("/bin/busybox", "sh", "-c", "echo remove >> " + log), null));
        CommandOperation regenerate = new CommandOperation(List.of("/bin/busybox", "sh", "-c", "echo regenerate >> " + log), null);
        ApplyResult applied = ex.apply(TestRoot.description(), List.of(), List.of(stateful, regenerate), ApplyOptions.defaults());
        assertEquals(List.of(JournaledCommand.Status.OK, JournaledCommand.Status.OK),
                applied.commands().stream().map(JournaledCommand::status).toList(), "run although no file changed");
        assertEquals("add\nregenerate\n", host.read("etc/args.log"));
        RollbackResult r = ex.rollback(PlanExecutor.LATEST, false, ApplyOptions.defaults());
        // generators first (on the restored files), then the inverses, last command first
        assertEquals("add\nregenerate\nregenerate\nremove\n", host.read("etc/args.log"));
        assertEquals(List.of("/bin/busybox", "sh", "-c", "echo remove >> " + log), r.rerunCommands().get(1).argv());
        // only regenerating commands and no changed file: nothing runs, as before
        ApplyResult idle = ex.apply(TestRoot.description(), List.of(), List.of(regenerate), ApplyOptions.defaults());
        assertEquals(JournaledCommand.Status.SKIPPED, idle.commands().get(0).status());
    }

    @Test
    void failingCommandRollsTheFilesBack() throws Exception {
        CommandFailedException e = failing(List.of(
                new CommandOperation(List.of("/bin/busybox", "true"), null),
                new CommandOperation(List.of("/bin/busybox", "false"), null)));
        assertEquals(1, e.exitStatus());
        assertEquals(List.of("/bin/busybox", "false"), e.argv());
        assertTrue(e.getMessage().startsWith("command `/bin/busybox false` failed with exit status 1"), e.getMessage());
    }

    @Test
    void exitStatusAndOutputTailAreReported() throws Exception {
        CommandFailedException e = failing(List.of(new CommandOperation(
                List.of("/bin/busybox", "sh", "-c", "for i in $(seq 1 100); do echo line $i; done; echo broken >&2; exit 3"), null)));
        assertEquals(3, e.exitStatus());
        assertEquals(CommandRunner.TAIL_LINES, e.outputTail().size());
        assertEquals("broken", e.outputTail().get(CommandRunner.TAIL_LINES - 1));
        assertTrue(e.getMessage().contains("exit status 3 (last output: broken)"), e.getMessage());
    }

    @Test
    void timedOutCommandIsKilledAndTheFilesRolledBack() throws Exception {
        long start = System.nanoTime();
        CommandFailedException e = failing(List.of(new CommandOperation(List.of("/bin/busybox", "sleep", "10"), null)));
        assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 8, "killed at the timeout");
        assertEquals(CommandResult.Outcome.TIMED_OUT, e.outcome());
        assertNull(e.exitStatus());
        assertTrue(e.getMessage().contains("timed out after 1 s"), e.getMessage());
    }

    @Test
    void commandThatCannotRunRollsTheFilesBack() throws Exception {
        // found by the pre-check (a regular file) but not executable: fails only when run
        Files.writeString(host.root.resolve("bin/not-a-program"), "just text\n");
        before = host.snapshot();
        CommandFailedException e = failing(List.of(CommandOperation.of("/bin/not-a-program")));
        assertEquals(CommandResult.Outcome.MISSING, e.outcome());
        assertTrue(e.getMessage().contains("could not be run"), e.getMessage());
    }

    @Test
    void skippedCommandsAreJournaledAsSkipped() throws Exception {
        ApplyResult r = host.executor().apply(TestRoot.description(), host.typicalPlan(),
                List.of(CommandOperation.of("update-grub")), ApplyOptions.defaults().withoutCommands());
        assertEquals(JournaledCommand.Status.SKIPPED, r.commands().get(0).status());
        assertEquals(TransactionState.DONE, host.executor().history().get(0).state());
    }

    @Test
    void rollbackReRunsTheCommandsThatHadRun() throws Exception {
        PlanExecutor ex = host.executor();
        CommandOperation regenerate = new CommandOperation(List.of("/bin/busybox", "cp", "/etc/default/grub", "/etc/generated.cfg"), null);
        ex.apply(TestRoot.description(), host.typicalPlan(), List.of(regenerate), ApplyOptions.defaults());
        assertEquals(TestRoot.GRUB_NEW, host.read("etc/generated.cfg"));

        RollbackResult r = ex.rollback(PlanExecutor.LATEST, false, ApplyOptions.defaults());

        assertEquals(TestRoot.GRUB, host.read("etc/generated.cfg"), "generated file follows the restored source");
        assertEquals(JournaledCommand.Status.OK, r.rerunCommands().get(0).status());
    }

    @Test
    void asRootCommandsSeeProcSysAndDevInsideTheRootAndNothingStaysMounted() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(ChrootInvocation.mountsAvailable(),
                "needs root and mount namespaces (CI runs as root)");
        for (String d : ChrootInvocation.MOUNTS) java.nio.file.Files.createDirectories(host.root.resolve(d));
        ApplyResult r = host.executor().apply(TestRoot.description(), host.typicalPlan(), List.of(new CommandOperation(
                List.of("/bin/busybox", "sh", "-c", "/bin/busybox test -e /proc/self/status && /bin/busybox test -e "
                        + "/sys/kernel && /bin/busybox test -c /dev/null && echo mounted"), null)), ApplyOptions.defaults());
        assertEquals(List.of("mounted"), r.commands().get(0).outputTail());
        String mounts = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/mountinfo"));
        assertTrue(!mounts.contains(host.root.toString()), "the mounts lived in the command's own namespace only");
        try (var s = java.nio.file.Files.list(host.root.resolve("proc"))) {
            assertEquals(0, s.count(), "the root's proc directory is empty again");
        }
    }

    /**
     * A rollback undoes each command the way it says: a generator runs again on the restored files, a command with an
     * inverse has the inverse run (virsh define -> virsh undefine), last first, and a command whose result is kept
     * on purpose (a new disk image) leaves it, journaled as kept with the reason.
     */
    @Test
    void rollbackUndoesEachCommandItsOwnWay() throws Exception {
        PlanExecutor ex = host.executor();
        ex.apply(TestRoot.description(), host.typicalPlan(), List.of(
                new CommandOperation(List.of("/bin/busybox", "sh", "-c", "echo generated >> /etc/generator.log"), null),
                new CommandOperation(List.of("/bin/busybox", "sh", "-c", "echo first > /etc/defined-1"), null,
                        new UndoStep(UndoStep.RUN, List.of("/bin/busybox", "rm", "/etc/defined-1"), null)),
                new CommandOperation(List.of("/bin/busybox", "sh", "-c", "test -e /etc/defined-1 && echo second > /etc/defined-2"),
                        null, new UndoStep(UndoStep.RUN, List.of("/bin/busybox", "sh", "-c",
                        "test -e /etc/defined-1 && rm /etc/defined-2"), null)),
                new CommandOperation(List.of("/bin/busybox", "touch", "/etc/disk.img"), null,
                        new UndoStep(UndoStep.KEEP, null, "the disk may hold the guest's data"))),
                ApplyOptions.defaults());

        RollbackResult r = ex.rollback(PlanExecutor.LATEST, false, ApplyOptions.defaults());

        assertEquals(TransactionState.ROLLED_BACK, r.state());
        assertEquals("generated\ngenerated\n", host.read("etc/generator.log"), "the generator ran again");
        assertTrue(!Files.exists(host.root.resolve("etc/defined-1")) && !Files.exists(host.root.resolve("etc/defined-2")),
                "both inverses ran, the second's first (it needs defined-1 still there)");
        assertTrue(Files.exists(host.root.resolve("etc/disk.img")), "kept");
        assertEquals(List.of(JournaledCommand.Status.OK, JournaledCommand.Status.KEPT, JournaledCommand.Status.OK,
                JournaledCommand.Status.OK), r.rerunCommands().stream().map(JournaledCommand::status).toList());
        assertEquals(List.of("the disk may hold the guest's data"), r.rerunCommands().get(1).outputTail());
        assertEquals(List.of("/bin/busybox", "rm", "/etc/defined-1"), r.rerunCommands().get(3).argv());
    }

    /** An inverse is not run for a command that failed: it changed nothing (a failed virsh define defined nothing). */
    @Test
    void aFailedCommandsInverseIsNotRun() throws Exception {
        PlanExecutor ex = host.executor();
        assertThrows(CommandFailedException.class, () -> ex.apply(TestRoot.description(), host.typicalPlan(), List.of(
                new CommandOperation(List.of("/bin/busybox", "false"), null,
                        new UndoStep(UndoStep.RUN, List.of("/bin/busybox", "touch", "/etc/inverse-ran"), null))),
                new ApplyOptions(true, Duration.ofSeconds(5))));
        assertEquals(before, host.snapshot(), "files restored and the inverse of the failed command not run");
    }
}
