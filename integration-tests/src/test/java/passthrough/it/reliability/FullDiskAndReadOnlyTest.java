package passthrough.it.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import passthrough.fixtures.SampleHosts;
import passthrough.it.cli.Cli;

/**
 * A disk that fills up at any moment of an apply or a rollback, and targets on a read-only mount or with the
 * immutable attribute. Needs root (mount, chattr); CI runs it as root.
 *
 * <p>The full disk is a small tmpfs holding the whole host root (journal included, as on a real single-partition
 * host), filled with a filler file until only k pages are free, for k = 0, 1, 2, ... until the command succeeds:
 * so the space runs out once at every write the command makes, whichever it is.
 */
class FullDiskAndReadOnlyTest {
    private static final int PAGE = 4096;
    static int fullDiskRuns;

    @TempDir
    Path tmp;

    @BeforeEach
    void needsRoot() {
        assumeTrue(CrashAtEveryStepTest.isRoot(), "skipped: not root — mount and chattr need root (CI runs this as root)");
    }

    @AfterAll
    static void report() {
        System.out.println("[reliability] FullDiskAndReadOnlyTest: " + fullDiskRuns + " apply/rollback runs on a disk filled to k free pages");
    }

    static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), String.join(" ", command) + " hangs");
        assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + out);
    }

    /** Fills the file system of {@code dir} until {@code pages} pages are free. */
    static Path fill(Path dir, int pages) throws IOException {
        Path filler = dir.resolve("filler");
        long free = Files.getFileStore(dir).getUsableSpace();
        long size = Math.max(0, free - (long) pages * PAGE);
        try (FileChannel ch = FileChannel.open(filler, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer zeros = ByteBuffer.allocate(64 * 1024);
            long written = 0;
            while (written < size) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), size - written));
                written += ch.write(zeros);
            }
        }
        assertEquals((long) pages * PAGE, Files.getFileStore(dir).getUsableSpace(), "free space after filling");
        return filler;
    }

    static Map<String, String> withoutFiller(Map<String, String> snapshot) {
        Map<String, String> m = new java.util.TreeMap<>(snapshot);
        m.remove("filler");
        return m;
    }

    @Test
    void diskFullAtEveryWriteOfApplyAndRollback() throws Exception {
        Path mnt = Files.createDirectories(tmp.resolve("mnt"));
        run("mount", "-t", "tmpfs", "-o", "size=16m,mode=0755", "tmpfs", mnt.toString());
        try {
            List<String> outcomes = new ArrayList<>();
            List<String> failures = new ArrayList<>();
            boolean applied = false;
            for (int k = 0; k < 64 && !applied; k++) {
                HostCopy h = HostCopy.of(SampleHosts.SEED1, mnt.resolve("host")).withRunnableCommands();
                // a defaults file of several pages, so the space also runs out in the middle of writing it (and its backup)
                Files.writeString(h.root.resolve("etc/default/grub"), "#".repeat(79).concat("\n").repeat(300)
                        + Files.readString(h.root.resolve("etc/default/grub")));
                h.chroot("/usr/sbin/update-grub");
                Map<String, String> pristine = h.snapshot();
                Path filler = fill(mnt, k);
                Cli.Result r = Cli.run("--root", h.root.toString(), "apply", "--device", "65:00.0", "--yes");
                fullDiskRuns++;
                outcomes.add("apply " + k + ":" + r.exit());
                failures.add(r.err().lines().findFirst().orElse("").replace(mnt.toString(), "<mnt>"));
                String where = "apply with " + k + " free pages (exit " + r.exit() + ")\n" + r.err();
                Map<String, String> now = withoutFiller(h.snapshot());
                if (r.exit() == 0) {
                    applied = true;
                } else {
                    assertTrue(r.exit() == 4 || r.exit() == 1, where);
                    assertTrue(r.err().contains("No space left on device"), "names the cause: " + where);
                    assertTrue(r.err().contains("check the disk") || r.err().contains("free space") || r.err().contains("fix the disk"),
                            "says what to do: " + where);
                    // the old file in place, byte for byte, and no temp file left behind
                    HostCopy.assertSameHost(pristine, now, where);
                    assertEquals(List.of(), h.tempFiles(), where);
                }
                // with space again, the next apply completes the job and a rollback restores the original
                Files.delete(filler);
                Cli.Result again = Cli.run("--root", h.root.toString(), "apply", "--device", "65:00.0", "--yes");
                assertTrue(again.exit() == 0, "apply after freeing space: " + where + "\n" + again.out() + again.err());
                assertTrue(Files.readString(h.root.resolve("etc/default/grub")).contains("pci-stub.ids="), where);
                assertEquals(List.of(), JournalView.read(h.root).unfinished(), where);

                // the rollback, with the disk as full
                filler = fill(mnt, k);
                Map<String, String> appliedState = withoutFiller(h.snapshot());
                Cli.Result rb = Cli.run("--root", h.root.toString(), "rollback");
                fullDiskRuns++;
                outcomes.add("rollback " + k + ":" + rb.exit());
                String rbWhere = "rollback with " + k + " free pages (exit " + rb.exit() + ")\n" + rb.err();
                if (rb.exit() != 0) {
                    assertTrue(rb.exit() == 4 || rb.exit() == 1, rbWhere);
                    assertTrue(rb.err().contains("No space left on device"), rbWhere);
                    Map<String, String> afterRb = withoutFiller(h.snapshot());
                    for (String path : List.of("etc/default/grub", "boot/grub/grub.cfg")) {
                        assertTrue(java.util.Objects.equals(afterRb.get(path), appliedState.get(path))
                                || java.util.Objects.equals(afterRb.get(path), pristine.get(path)), path + " old or new: " + rbWhere);
                    }
                }
                Files.delete(filler);
                Cli.Result rb2 = Cli.run("--root", h.root.toString(), "rollback", JournalView.read(h.root).manifests().keySet()
                        .stream().reduce((a, b) -> b).orElseThrow());
                assertEquals(0, rb2.exit(), "rollback after freeing space: " + rbWhere + "\n" + rb2.out() + rb2.err());
                HostCopy.assertSameHost(pristine, h.snapshot(), "rolled back after " + rbWhere);
                HostCopyCleaner.deleteTree(h.root);
            }
            System.out.println("[reliability] full disk, free pages:exit " + outcomes);
            assertTrue(applied, "apply never fitted: " + outcomes);
            assertTrue(failures.stream().filter(f -> f.startsWith("passthrough: writing etc/default/grub failed (No space left on device)"))
                    .count() >= 3, "the space ran out in the middle of writing the host file several times: " + failures);
            assertTrue(failures.stream().anyMatch(f -> f.contains("cannot be written (No space left on device); nothing on the host was changed")),
                    "and while writing the journal before it: " + failures);
        } finally {
            run("umount", mnt.toString());
        }
    }

    @Test
    void readOnlyMountIsRefusedBeforeAnythingIsWritten() throws Exception {
        HostCopy h = HostCopy.of(SampleHosts.SEED1, tmp.resolve("host"));
        Map<String, String> before = h.snapshot();
        Path dir = h.root.resolve("etc/default");
        run("mount", "--bind", dir.toString(), dir.toString());
        try {
            run("mount", "-o", "remount,ro,bind", dir.toString());
            Cli.Result r = Cli.run("--root", h.root.toString(), "apply", "--device", "65:00.0", "--yes", "--no-commands").exits(3);
            assertTrue(r.err().startsWith("passthrough: refused: etc/default/grub: cannot be replaced: it is on a read-only "
                    + "file system or has the immutable attribute"), r.err());
            assertTrue(r.err().contains("nothing was written") && r.err().contains("mount -o remount,rw"), r.err());
            HostCopy.assertSameHost(before, h.snapshot(), "nothing written");
            assertFalse(Files.exists(h.root.resolve(HostCopy.JOURNAL).resolve("transactions")), "no transaction journaled");
        } finally {
            run("umount", dir.toString());
        }
        Cli.run("--root", h.root.toString(), "apply", "--device", "65:00.0", "--yes", "--no-commands").exits(0);
    }

    @Test
    void immutableFileIsRefusedBeforeAnythingIsWritten() throws Exception {
        HostCopy h = HostCopy.of(SampleHosts.SEED1, tmp.resolve("host"));
        Map<String, String> before = h.snapshot();
        Path grub = h.root.resolve("etc/default/grub");
        run("chattr", "+i", grub.toString());
        try {
            Cli.Result r = Cli.run("--root", h.root.toString(), "apply", "--device", "65:00.0", "--yes", "--no-commands").exits(3);
            assertTrue(r.err().contains("etc/default/grub: cannot be replaced") && r.err().contains("chattr -i"), r.err());
            HostCopy.assertSameHost(before, h.snapshot(), "nothing written");
        } finally {
            run("chattr", "-i", grub.toString());
        }
    }

    @Test
    void readOnlyDirectoryOfAFileToCreateIsRefused() throws Exception {
        HostCopy h = HostCopy.of(SampleHosts.SEED2, tmp.resolve("lfs"));
        Map<String, String> before = h.snapshot();
        Path etc = h.root.resolve("etc");
        run("chattr", "+i", etc.toString()); // etc/modprobe.d does not exist yet and cannot be made
        try {
            Cli.Result r = Cli.run("--root", h.root.toString(), "apply", "--device", "82:00.0", "--yes").exits(3);
            assertTrue(r.err().contains("etc/modprobe.d/passthrough-vfio.conf: cannot be written: its directory "), r.err());
            HostCopy.assertSameHost(before, h.snapshot(), "nothing written");
        } finally {
            run("chattr", "-i", etc.toString());
        }
    }

    /** Deletes a host copy (so the next one fits on the small tmpfs). */
    static final class HostCopyCleaner {
        static void deleteTree(Path p) throws IOException {
            try (var s = Files.walk(p)) {
                for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(x);
            }
        }
    }
}
