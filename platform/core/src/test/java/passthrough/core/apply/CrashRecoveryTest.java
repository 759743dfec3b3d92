package passthrough.core.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A crash is simulated by an Error thrown from the step hook: like SIGKILL it skips every catch in the
 * executor, so nothing is cleaned up and the journal is left as the dead process would leave it.
 */
class CrashRecoveryTest {
    static final class SimulatedCrash extends Error {
        private static final long serialVersionUID = 1L;
    }

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

    private void crashAt(String step, int occurrence) throws Exception {
        int[] seen = {0};
        PlanExecutor crashing = host.executor((s, m) -> {
            if (s.equals(step) && ++seen[0] == occurrence) throw new SimulatedCrash();
        });
        assertThrows(SimulatedCrash.class, () -> crashing.apply(TestRoot.description(), host.typicalPlan(),
                List.of(new CommandOperation(List.of("/bin/busybox", "true"), null)), ApplyOptions.defaults()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"planned", "file-written", "files-written", "command-run"})
    void recoverReturnsTheRootToItsBeforeState(String step) throws Exception {
        crashAt(step, step.equals("file-written") ? 2 : 1);

        List<RecoveredTransaction> recovered = host.executor().recover(ApplyOptions.defaults());

        assertEquals(1, recovered.size());
        assertEquals(TransactionState.ROLLED_BACK, recovered.get(0).outcome());
        assertTrue(recovered.get(0).message().contains("restored to their state before it"), recovered.get(0).message());
        assertEquals(before, host.snapshot());
        assertEquals(TransactionState.ROLLED_BACK, host.executor().history().get(0).state());
        assertEquals(List.of(), host.executor().recover(ApplyOptions.defaults()), "nothing left to recover");
    }

    @Test
    void crashAfterEveryCommandRanIsFinished() throws Exception {
        crashAt("commands-run", 1);
        List<RecoveredTransaction> recovered = host.executor().recover(ApplyOptions.defaults());
        assertEquals(TransactionState.DONE, recovered.get(0).outcome());
        assertEquals(TestRoot.GRUB_NEW, host.read("etc/default/grub"));
    }

    @Test
    void crashBetweenRenameAndJournalUpdateIsStillRolledBack() throws Exception {
        // the journal still says "pending" for a file already renamed into place: the digest tells the truth
        crashAt("file-written", 1);
        Journal journal = new Journal(host.root.resolve("var/lib/passthrough"));
        JournalManifest m = journal.load(journal.txids().get(0)).orElseThrow();
        journal.save(m.withFile(0, m.files().get(0).withStatus(JournaledFile.Status.PENDING)));

        host.executor().recover(ApplyOptions.defaults());

        assertEquals(before, host.snapshot());
    }

    /**
     * Killed after update-grub rewrote grub.cfg but before the journal recorded that it ran: recovery must run it
     * again on the restored files, or grub.cfg keeps the new kernel parameters while the journal says "rolled back".
     */
    @Test
    void aCommandThatWasRunningWhenTheProcessDiedIsRunAgainByRecovery() throws Exception {
        PlanExecutor crashing = host.executor((s, m) -> {
            if (s.equals("command-run")) throw new SimulatedCrash();
        });
        CommandOperation regenerate = new CommandOperation(List.of("/bin/busybox", "sh", "-c",
                "/bin/busybox cp /etc/default/grub /generated.cfg"), null);
        assertThrows(SimulatedCrash.class, () -> crashing.apply(TestRoot.description(), host.typicalPlan(), List.of(regenerate),
                ApplyOptions.defaults()));
        assertEquals(TestRoot.GRUB_NEW, host.read("generated.cfg"));
        Journal journal = new Journal(host.root.resolve("var/lib/passthrough"));
        JournalManifest m = journal.load(journal.txids().get(0)).orElseThrow();
        journal.save(m.withCommand(0, m.commands().get(0).withStatus(JournaledCommand.Status.RUNNING)));

        host.executor().recover(ApplyOptions.defaults());

        assertEquals(TestRoot.GRUB, host.read("generated.cfg"), "the generated file follows the restored source");
        JournalManifest end = journal.load(journal.txids().get(0)).orElseThrow();
        assertEquals(List.of(JournaledCommand.Status.OK), end.rollbackCommands().stream().map(JournaledCommand::status).toList());
    }

    @Test
    void crashBeforeTheFirstManifestLeavesNothingToUndo() throws Exception {
        Path tx = host.root.resolve("var/lib/passthrough/transactions/20200101T000000000Z-abcdef/backups");
        Files.createDirectories(tx);
        Files.writeString(tx.resolve("0001"), "partial backup");
        assertEquals(List.of(), host.executor().recover(ApplyOptions.defaults()));
        assertTrue(Files.notExists(tx.getParent()));
    }

    @Test
    void nextApplyRecoversFirstAndTellsTheUser() throws Exception {
        List<FileOperation> plan = host.typicalPlan();
        crashAt("files-written", 1);
        ApplyResult r = host.executor().apply(TestRoot.description(), plan, List.of(), ApplyOptions.defaults());
        assertEquals(1, r.recovered().size());
        assertEquals(TestRoot.GRUB_NEW, host.read("etc/default/grub"));
        assertEquals(List.of(TransactionState.DONE, TransactionState.ROLLED_BACK),
                host.executor().history().stream().map(TransactionSummary::state).toList());
    }

    @Test
    void crashDuringRollbackIsContinued() throws Exception {
        PlanExecutor ex = host.executor();
        ex.apply(TestRoot.description(), host.typicalPlan(), List.of(), ApplyOptions.defaults());
        // as if a rollback had journaled ROLLING_BACK and restored one file before dying
        Journal journal = new Journal(host.root.resolve("var/lib/passthrough"));
        JournalManifest m = journal.load(journal.txids().get(0)).orElseThrow();
        journal.save(m.rollingBack(RollbackCause.USER, false, "rolled back by user"));
        Files.writeString(host.root.resolve("etc/old.conf"), "old\n");

        List<RecoveredTransaction> recovered = ex.recover(ApplyOptions.defaults());

        assertEquals(TransactionState.ROLLED_BACK, recovered.get(0).outcome());
        assertEquals(before, host.snapshot());
    }
}
