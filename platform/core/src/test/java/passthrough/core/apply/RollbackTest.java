package passthrough.core.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RollbackTest {
    @TempDir
    Path dir;
    TestRoot host;

    @BeforeEach
    void makeRoot() throws Exception {
        host = new TestRoot(dir.resolve("host"));
    }

    @Test
    void restoresByteIdenticalFilesAndRemovesCreatedFilesAndDirectories() throws Exception {
        Map<String, String> before = host.snapshot();
        PlanExecutor ex = host.executor();
        ApplyResult applied = ex.apply(TestRoot.description(), host.typicalPlan(), List.of(), ApplyOptions.defaults());

        RollbackResult r = ex.rollback(PlanExecutor.LATEST, false, ApplyOptions.defaults());

        assertEquals(applied.txid(), r.txid());
        assertEquals(TransactionState.ROLLED_BACK, r.state());
        assertEquals(before, host.snapshot(), "bytes, modes, owners, and no created file or directory left");
        assertFalse(Files.exists(host.root.resolve("etc/modprobe.d")));
        assertEquals(TransactionState.ROLLED_BACK, ex.history().get(0).state());
    }

    @Test
    void refusesWhenAFileChangedSinceUnlessForced() throws Exception {
        PlanExecutor ex = host.executor();
        ApplyResult applied = ex.apply(TestRoot.description(), host.typicalPlan(), List.of(), ApplyOptions.defaults());
        Files.writeString(host.root.resolve("etc/default/grub"), "edited after apply\n");
        Map<String, String> edited = host.snapshot();

        RefusedException e = assertThrows(RefusedException.class, () -> ex.rollback(applied.txid(), false, ApplyOptions.defaults()));
        assertTrue(e.getMessage().startsWith("etc/default/grub: changed since transaction " + applied.txid()), e.getMessage());
        assertTrue(e.getMessage().contains("force"), e.getMessage());
        assertEquals(edited, host.snapshot(), "a refused rollback restores nothing");
        assertEquals(TransactionState.DONE, ex.history().get(0).state());

        ex.rollback(applied.txid(), true, ApplyOptions.defaults());
        assertEquals(TestRoot.GRUB, host.read("etc/default/grub"));
        assertEquals(new Ownership(0640, 1234, 5678), host.ownership("etc/default/grub"));
    }

    @Test
    void latestWalksBackThroughDoneTransactions() throws Exception {
        PlanExecutor ex = host.executor();
        ex.apply(new TransactionDescription("p1", "first"),
                List.of(FileOperation.write("etc/a.conf", FileOperation.ABSENT, TestRoot.bytes("a\n"))), List.of(), ApplyOptions.defaults());
        ex.apply(new TransactionDescription("p2", "second"),
                List.of(FileOperation.write("etc/a.conf", FileDigest.of(TestRoot.bytes("a\n")), TestRoot.bytes("b\n"))), List.of(), ApplyOptions.defaults());

        assertEquals("second", ex.rollback(PlanExecutor.LATEST, false, ApplyOptions.defaults()).title());
        assertEquals("a\n", host.read("etc/a.conf"));
        assertEquals("first", ex.rollback(PlanExecutor.LATEST, false, ApplyOptions.defaults()).title());
        assertFalse(Files.exists(host.root.resolve("etc/a.conf")));
        assertThrows(RefusedException.class, () -> ex.rollback(PlanExecutor.LATEST, false, ApplyOptions.defaults()));
    }

    @Test
    void unknownTransactionsAreRefused() throws Exception {
        PlanExecutor ex = host.executor();
        ex.apply(TestRoot.description(), host.typicalPlan(), List.of(), ApplyOptions.defaults());
        assertThrows(RefusedException.class, () -> ex.rollback("20990101T000000000Z-000000", false, ApplyOptions.defaults()));
        assertThrows(RefusedException.class, () -> ex.rollback("../../etc", false, ApplyOptions.defaults()));
    }

    /** A rollback killed after its last journal write looks unfinished to the user, who runs it again: that is fine. */
    @Test
    void rollingBackARolledBackTransactionAgainIsDoneAndChangesNothing() throws Exception {
        PlanExecutor ex = host.executor();
        ApplyResult applied = ex.apply(TestRoot.description(), host.typicalPlan(), List.of(), ApplyOptions.defaults());
        ex.rollback(applied.txid(), false, ApplyOptions.defaults());
        Map<String, String> rolledBack = host.snapshot();

        RollbackResult again = ex.rollback(applied.txid(), false, ApplyOptions.defaults());

        assertEquals(TransactionState.ROLLED_BACK, again.state());
        assertTrue(again.reason().startsWith("already rolled back"), again.reason());
        assertEquals(rolledBack, host.snapshot());
        assertEquals(List.of(), again.rerunCommands());
    }

    @Test
    void aFailedTransactionIsNotRolledBackAgain() throws Exception {
        host.installBusybox();
        PlanExecutor ex = host.executor();
        CommandFailedException failed = assertThrows(CommandFailedException.class, () -> ex.apply(TestRoot.description(),
                host.typicalPlan(), List.of(CommandOperation.of("/bin/busybox", "false")), ApplyOptions.defaults()));
        RefusedException e = assertThrows(RefusedException.class, () -> ex.rollback(failed.txid(), false, ApplyOptions.defaults()));
        assertTrue(e.getMessage().contains("failed, not done"), e.getMessage());
    }

    /** An interrupted rollback of the newest transaction is finished by recovery; "latest" must not go on to the next. */
    @Test
    void latestAfterAnInterruptedRollbackFinishesItAndStopsThere() throws Exception {
        PlanExecutor ex = host.executor();
        ex.apply(new TransactionDescription("p1", "first"),
                List.of(FileOperation.write("etc/a.conf", FileOperation.ABSENT, TestRoot.bytes("a\n"))), List.of(), ApplyOptions.defaults());
        ApplyResult second = ex.apply(new TransactionDescription("p2", "second"),
                List.of(FileOperation.write("etc/a.conf", FileDigest.of(TestRoot.bytes("a\n")), TestRoot.bytes("b\n"))), List.of(),
                ApplyOptions.defaults());
        Journal journal = new Journal(host.root.resolve("var/lib/passthrough"));
        JournalManifest m = journal.load(second.txid()).orElseThrow();
        journal.save(m.rollingBack(RollbackCause.USER, false, "rolled back by user")); // then the process died

        RollbackResult r = ex.rollback(PlanExecutor.LATEST, false, ApplyOptions.defaults());

        assertEquals("second", r.title());
        assertEquals(1, r.recovered().size());
        assertEquals("a\n", host.read("etc/a.conf"), "the first transaction is still in place");
        assertEquals(List.of(TransactionState.ROLLED_BACK, TransactionState.DONE),
                ex.history().stream().map(TransactionSummary::state).toList());
    }

    /** An apply killed half-way and answered with "rollback": recovery undoes it, and that is the rollback. */
    @Test
    void latestAfterAnInterruptedApplyIsTheRecovery() throws Exception {
        PlanExecutor ex = host.executor();
        ex.apply(new TransactionDescription("p1", "first"),
                List.of(FileOperation.write("etc/a.conf", FileOperation.ABSENT, TestRoot.bytes("a\n"))), List.of(), ApplyOptions.defaults());
        PlanExecutor crashing = host.executor((step, manifest) -> {
            if (step.equals("files-written")) throw new CrashRecoveryTest.SimulatedCrash();
        });
        assertThrows(CrashRecoveryTest.SimulatedCrash.class, () -> crashing.apply(new TransactionDescription("p2", "second"),
                List.of(FileOperation.write("etc/a.conf", FileDigest.of(TestRoot.bytes("a\n")), TestRoot.bytes("b\n"))), List.of(),
                ApplyOptions.defaults()));

        RollbackResult r = ex.rollback(PlanExecutor.LATEST, false, ApplyOptions.defaults());

        assertEquals("second", r.title());
        assertEquals(TransactionState.ROLLED_BACK, r.state());
        assertEquals("a\n", host.read("etc/a.conf"), "the first transaction is still in place");
    }
}
