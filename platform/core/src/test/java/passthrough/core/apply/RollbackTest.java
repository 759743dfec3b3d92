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
    void unknownOrFinishedTransactionsAreRefused() throws Exception {
        PlanExecutor ex = host.executor();
        ApplyResult applied = ex.apply(TestRoot.description(), host.typicalPlan(), List.of(), ApplyOptions.defaults());
        ex.rollback(applied.txid(), false, ApplyOptions.defaults());
        RefusedException again = assertThrows(RefusedException.class, () -> ex.rollback(applied.txid(), false, ApplyOptions.defaults()));
        assertTrue(again.getMessage().contains("rolled-back, not done"), again.getMessage());
        assertThrows(RefusedException.class, () -> ex.rollback("20990101T000000000Z-000000", false, ApplyOptions.defaults()));
        assertThrows(RefusedException.class, () -> ex.rollback("../../etc", false, ApplyOptions.defaults()));
    }
}
