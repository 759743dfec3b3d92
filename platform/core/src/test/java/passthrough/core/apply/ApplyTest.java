package passthrough.core.apply;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApplyTest {
    @TempDir
    Path dir;
    TestRoot host;

    @BeforeEach
    void makeRoot() throws Exception {
        host = new TestRoot(dir.resolve("host"));
    }

    @Test
    void writesExactlyTheNewBytesAndKeepsModeAndOwner() throws Exception {
        byte[] newGrub = TestRoot.bytes(TestRoot.GRUB_NEW);
        ApplyResult r = host.executor().apply(TestRoot.description(), host.typicalPlan(), List.of(), ApplyOptions.defaults());

        assertTrue(r.changedAnything());
        assertArrayEquals(newGrub, Files.readAllBytes(host.root.resolve("etc/default/grub")));
        assertEquals(new Ownership(0640, 1234, 5678), host.ownership("etc/default/grub"));
        assertEquals("options vfio-pci ids=10de:1b80\n", host.read("etc/modprobe.d/passthrough/vfio.conf"));
        assertEquals(Ownership.NEW_FILE, host.ownership("etc/modprobe.d/passthrough/vfio.conf"));
        assertFalse(Files.exists(host.root.resolve("etc/old.conf")));
        assertEquals(List.of(FileAction.REPLACE, FileAction.CREATE, FileAction.DELETE),
                r.files().stream().map(JournaledFile::action).toList());
        try (var s = Files.list(host.root.resolve("etc/default"))) {
            assertEquals(List.of("grub"), s.map(p -> p.getFileName().toString()).toList(), "no temp file left");
        }
    }

    @Test
    void journalRecordsEveryFileWithItsBackup() throws Exception {
        ApplyResult r = host.executor().apply(TestRoot.description(), host.typicalPlan(), List.of(), ApplyOptions.defaults());

        Path tx = host.root.resolve("var/lib/passthrough/transactions/" + r.txid());
        JournalManifest m = new Journal(host.root.resolve("var/lib/passthrough")).load(r.txid()).orElseThrow();
        assertEquals(TransactionState.DONE, m.state());
        assertEquals(List.of("etc/modprobe.d", "etc/modprobe.d/passthrough"), m.createdDirectories());
        JournaledFile grub = m.files().get(0);
        assertEquals("0640", grub.mode());
        assertEquals(1234, grub.uid());
        assertEquals(TestRoot.GRUB, Files.readString(tx.resolve(grub.backup())));
        assertNull(m.files().get(1).backup(), "a created file was absent: no backup");
        assertEquals(FileOperation.ABSENT, m.files().get(1).digestBefore());
        assertEquals(FileOperation.ABSENT, m.files().get(2).digestAfter());
        assertTrue(r.txid().matches("\\d{8}T\\d{9}Z-[0-9a-f]{6}"), r.txid());
        assertTrue(Files.readString(tx.resolve("manifest.json")).contains("\"state\" : \"done\""));
    }

    @Test
    void applyingTheSameOperationsTwiceChangesNothingTheSecondTime() throws Exception {
        List<FileOperation> plan = host.typicalPlan();
        host.executor().apply(TestRoot.description(), plan, List.of(), ApplyOptions.defaults());
        Map<String, String> after = host.snapshot();

        ApplyResult second = host.executor().apply(TestRoot.description(), plan, List.of(CommandOperation.of("/bin/true")),
                ApplyOptions.defaults().withoutCommands());

        assertFalse(second.changedAnything());
        assertTrue(second.files().stream().allMatch(f -> f.action() == FileAction.UNCHANGED));
        assertEquals(after, host.snapshot());
        assertEquals(1, host.executor().history().size(), "no transaction for a run that changed nothing");
    }

    @Test
    void historyListsTransactionsNewestFirst() throws Exception {
        PlanExecutor ex = host.executor();
        ex.apply(new TransactionDescription("p1", "first"),
                List.of(FileOperation.write("etc/a.conf", FileOperation.ABSENT, TestRoot.bytes("a\n"))), List.of(), ApplyOptions.defaults());
        ex.apply(new TransactionDescription("p2", "second"),
                List.of(FileOperation.write("etc/b.conf", FileOperation.ABSENT, TestRoot.bytes("b\n"))), List.of(), ApplyOptions.defaults());

        List<TransactionSummary> h = ex.history();
        assertEquals(List.of("second", "first"), h.stream().map(TransactionSummary::title).toList());
        assertEquals(TransactionState.DONE, h.get(0).state());
        assertEquals("etc/b.conf", h.get(0).files().get(0).path());
    }

    @Test
    void anExecutableFileIsCreated0755AndAnExistingOneGetsExecuteBitsThatRollbackTakesAway() throws Exception {
        Files.createDirectories(host.root.resolve("etc/hooks"));
        Files.writeString(host.root.resolve("etc/hooks/old"), "#!/bin/sh\n");
        Files.setAttribute(host.root.resolve("etc/hooks/old"), "unix:mode", 0640);
        String oldDigest = FileDigest.of(TestRoot.bytes("#!/bin/sh\n"));
        PlanExecutor ex = host.executor();
        ApplyResult r = ex.apply(TestRoot.description(), List.of(
                new FileOperation("etc/hooks/new", FileOperation.ABSENT, TestRoot.bytes("#!/bin/sh\nexit 0\n"), true),
                new FileOperation("etc/hooks/old", oldDigest, TestRoot.bytes("#!/bin/sh\nexit 0\n"), true)),
                List.of(), ApplyOptions.defaults());
        assertEquals(0755, host.ownership("etc/hooks/new").mode());
        assertEquals(0750, host.ownership("etc/hooks/old").mode(), "execute where it could be read");

        // same content, same mode: a second apply is a no-op
        assertFalse(ex.apply(TestRoot.description(), List.of(
                new FileOperation("etc/hooks/new", FileOperation.ABSENT, TestRoot.bytes("#!/bin/sh\nexit 0\n"), true)),
                List.of(), ApplyOptions.defaults()).changedAnything());

        ex.rollback(r.txid(), false, ApplyOptions.defaults());
        assertFalse(Files.exists(host.root.resolve("etc/hooks/new")));
        assertEquals(0640, host.ownership("etc/hooks/old").mode(), "rollback gives the original mode back");
        assertEquals("#!/bin/sh\n", host.read("etc/hooks/old"));
    }
}
