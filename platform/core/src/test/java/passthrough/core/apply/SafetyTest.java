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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every refusal happens before the first write: the root (journal included) is left exactly as it was. */
class SafetyTest {
    @TempDir
    Path dir;
    TestRoot host;
    Path outside;

    @BeforeEach
    void makeRoot() throws Exception {
        host = new TestRoot(dir.resolve("host"));
        outside = dir.resolve("outside/etc/shadow");
        Files.createDirectories(outside.getParent());
        Files.writeString(outside, "root:secret\n");
    }

    private RefusedException refused(List<FileOperation> ops) throws Exception {
        Map<String, String> before = host.snapshot();
        RefusedException e = assertThrows(RefusedException.class,
                () -> host.executor().apply(TestRoot.description(), ops, List.of(), ApplyOptions.defaults()));
        assertEquals(before, host.snapshot(), "a refusal writes nothing");
        assertFalse(host.journalExists(), "not even the journal or the lock");
        assertEquals("root:secret\n", Files.readString(outside));
        assertFalse(e.getMessage().contains("\n"), "one-line message");
        return e;
    }

    /** A good first operation, so a refusal of the second proves that checks come before any write. */
    private List<FileOperation> withGoodFirst(FileOperation bad) throws Exception {
        return List.of(FileOperation.write("etc/default/grub", host.digest("etc/default/grub"), TestRoot.bytes(TestRoot.GRUB_NEW)), bad);
    }

    @Test
    void staleDigestIsRefusedNamingTheFileAndNothingIsWritten() throws Exception {
        Files.writeString(host.root.resolve("etc/other.conf"), "edited by the user\n");
        RefusedException e = refused(withGoodFirst(
                FileOperation.write("etc/other.conf", FileDigest.of(TestRoot.bytes("what the plan saw\n")), TestRoot.bytes("new\n"))));
        assertTrue(e.getMessage().startsWith("etc/other.conf: changed since the plan was made"), e.getMessage());
        assertTrue(e.getMessage().endsWith("re-run plan"), e.getMessage());
    }

    @Test
    void planExpectingAbsenceOfAnExistingFileIsStale() throws Exception {
        RefusedException e = refused(withGoodFirst(FileOperation.write("etc/old.conf", FileOperation.ABSENT, TestRoot.bytes("x\n"))));
        assertTrue(e.getMessage().contains("stale plan"), e.getMessage());
    }

    @Test
    void absoluteSymlinkOutOfTheRootIsRefused() throws Exception {
        Files.delete(host.root.resolve("etc/default/grub"));
        Files.createSymbolicLink(host.root.resolve("etc/default/grub"), Path.of("/etc/shadow"));
        RefusedException e = refused(List.of(FileOperation.write("etc/default/grub", FileOperation.ABSENT, TestRoot.bytes("pwned\n"))));
        assertTrue(e.getMessage().startsWith("etc/default/grub: /etc/default/grub is a symbolic link to /etc/shadow"), e.getMessage());
    }

    @Test
    void relativeSymlinkClimbingOutOfTheRootIsRefused() throws Exception {
        Files.delete(host.root.resolve("etc/default/grub"));
        // host/etc/default/grub -> ../../../outside/etc/shadow reaches dir/outside: the kernel would follow it
        Files.createSymbolicLink(host.root.resolve("etc/default/grub"), Path.of("../../../../etc/shadow"));
        RefusedException e = refused(List.of(FileOperation.write("etc/default/grub", FileOperation.ABSENT, TestRoot.bytes("pwned\n"))));
        assertTrue(e.getMessage().contains("climbs above the root"), e.getMessage());

        Files.delete(host.root.resolve("etc/default/grub"));
        Files.createSymbolicLink(host.root.resolve("etc/default/grub"), Path.of("../../../outside/etc/shadow"));
        refused(List.of(FileOperation.write("etc/default/grub", FileDigest.of(TestRoot.bytes("root:secret\n")), TestRoot.bytes("pwned\n"))));
    }

    @Test
    void directoryLinkOutOfTheRootIsRefused() throws Exception {
        Files.createSymbolicLink(host.root.resolve("etc/modprobe.d"), dir.resolve("outside/etc"));
        refused(List.of(FileOperation.write("etc/modprobe.d/shadow", FileOperation.ABSENT, TestRoot.bytes("x\n"))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/etc/default/grub", "etc/../../outside/etc/shadow", "etc/./default/grub", "etc//grub",
            "proc/cmdline", "sys/module/vfio/parameters/x", "dev/sda", "var/lib/passthrough/lock",
            "var/lib/passthrough/transactions/x/manifest.json", "var/lib/passthrough/transactions/x", "var/lib/passthrough/plugins"})
    void unsafePathsAreRefused(String path) throws Exception {
        RefusedException e = refused(withGoodFirst(FileOperation.write(path, FileOperation.ABSENT, TestRoot.bytes("x\n"))));
        assertTrue(e.getMessage().startsWith(path + ": "), e.getMessage());
    }

    @Test
    void installedPluginsAreTheOnlyWritableDirectoryUnderTheJournal() throws Exception {
        host.executor().apply(new TransactionDescription("p", "plugin"),
                List.of(FileOperation.write("var/lib/passthrough/plugins/x.jar", FileOperation.ABSENT, TestRoot.bytes("jar"))),
                List.of(), ApplyOptions.defaults());
        assertTrue(Files.exists(host.root.resolve("var/lib/passthrough/plugins/x.jar")));
        // judged on the real path: a plugins directory that links into the journal is refused
        Files.delete(host.root.resolve("var/lib/passthrough/plugins/x.jar"));
        Files.delete(host.root.resolve("var/lib/passthrough/plugins"));
        Files.createSymbolicLink(host.root.resolve("var/lib/passthrough/plugins"), Path.of("transactions"));
        RefusedException e = assertThrows(RefusedException.class, () -> host.executor().apply(new TransactionDescription("p", "plugin"),
                List.of(FileOperation.write("var/lib/passthrough/plugins/x.jar", FileOperation.ABSENT, TestRoot.bytes("jar"))),
                List.of(), ApplyOptions.defaults()));
        assertTrue(e.getMessage().contains("own journal"), e.getMessage());
    }

    @Test
    void theInstalledPluginStoreIsWritableTheRestOfTheJournalIsNot() throws Exception {
        // `plugins install` writes jar + audit record through the executor, so history/rollback cover it
        host.executor().apply(TestRoot.description(), List.of(FileOperation.write("var/lib/passthrough/plugins/p-1.0.0.jar",
                FileOperation.ABSENT, TestRoot.bytes("jar\n"))), List.of(), ApplyOptions.defaults());
        assertTrue(Files.isRegularFile(host.root.resolve("var/lib/passthrough/plugins/p-1.0.0.jar")));
    }

    @Test
    void linkIntoProcIsRefused() throws Exception {
        Files.createSymbolicLink(host.root.resolve("etc/cmdline"), Path.of("../proc/cmdline"));
        RefusedException e = refused(List.of(FileOperation.write("etc/cmdline", FileOperation.ABSENT, TestRoot.bytes("x\n"))));
        assertTrue(e.getMessage().contains("kernel interface"), e.getMessage());
    }

    @Test
    void linksInsideTheRootAreFollowedAndKept() throws Exception {
        Files.createDirectories(host.root.resolve("usr/share/grub"));
        Files.move(host.root.resolve("etc/default/grub"), host.root.resolve("usr/share/grub/default"));
        Files.createSymbolicLink(host.root.resolve("etc/default/grub"), Path.of("../../usr/share/grub/default"));

        host.executor().apply(TestRoot.description(), List.of(FileOperation.write("etc/default/grub",
                FileDigest.of(TestRoot.bytes(TestRoot.GRUB)), TestRoot.bytes(TestRoot.GRUB_NEW))), List.of(), ApplyOptions.defaults());

        assertTrue(Files.isSymbolicLink(host.root.resolve("etc/default/grub")), "the link stays a link");
        assertEquals(TestRoot.GRUB_NEW, host.read("usr/share/grub/default"));
    }

    @Test
    void sameFileTwiceIsRefused() throws Exception {
        Files.createSymbolicLink(host.root.resolve("etc/grub-link"), Path.of("default/grub"));
        String d = host.digest("etc/default/grub");
        RefusedException e = refused(List.of(FileOperation.write("etc/default/grub", d, TestRoot.bytes("a\n")),
                FileOperation.write("etc/grub-link", d, TestRoot.bytes("b\n"))));
        assertTrue(e.getMessage().contains("same file"), e.getMessage());
    }

    @Test
    void missingCommandIsRefusedBeforeAnyWrite() throws Exception {
        host.installBusybox();
        Map<String, String> before = host.snapshot();
        RefusedException e = assertThrows(RefusedException.class, () -> host.executor().apply(TestRoot.description(),
                host.typicalPlan(), List.of(CommandOperation.of("update-grub")), ApplyOptions.defaults()));
        assertEquals(before, host.snapshot());
        assertTrue(e.getMessage().startsWith("command `update-grub`: update-grub is not found inside the root"), e.getMessage());
    }

    /**
     * Found by HostileInputTest: a symbolic link planted among the journal's own entries (an unpacked root may carry
     * one) was written through — the lock file linked to a file outside the root was truncated to the pid.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"lock", "transactions", "transactions/20200101T000000000Z-abcdef/manifest.json.tmp"})
    void aLinkPlantedInTheJournalIsRefusedAndNeverWrittenThrough(String entry) throws Exception {
        Path journal = host.root.resolve("var/lib/passthrough");
        Path link = journal.resolve(entry);
        Files.createDirectories(link.getParent());
        Files.createSymbolicLink(link, entry.equals("transactions") ? outside.getParent() : outside);
        Map<String, String> before = host.snapshot();
        RefusedException e = assertThrows(RefusedException.class, () -> host.executor().apply(TestRoot.description(),
                host.typicalPlan(), List.of(), ApplyOptions.defaults()));
        assertTrue(e.getMessage().contains("is a symbolic link inside passthrough's journal"), e.getMessage());
        assertEquals(before, host.snapshot());
        assertEquals("root:secret\n", Files.readString(outside));
        try (var s = Files.list(outside.getParent())) {
            assertEquals(1, s.count(), "nothing written next to the file outside");
        }
        assertThrows(RefusedException.class, () -> host.executor().rollback(PlanExecutor.LATEST, false, ApplyOptions.defaults()));
        assertThrows(RefusedException.class, () -> host.executor().history());
    }
}
