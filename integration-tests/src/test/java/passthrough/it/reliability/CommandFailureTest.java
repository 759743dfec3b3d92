package passthrough.it.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import passthrough.fixtures.SampleHosts;
import passthrough.it.cli.Cli;

/**
 * update-grub / update-initramfs failing, hanging or missing, through the CLI on sample hosts whose commands really
 * run (busybox scripts under chroot). The executor tests (platform/core CommandTest, SafetyTest) already cover the
 * mechanics with bare busybox commands; these cover what the user sees: the exit status, a message naming the
 * command with its output tail and the way out, and a host byte-identical to before — generated files included.
 *
 * <p>Each stand-in fails only on the NEW configuration (a "vfio-pci.ids=" or "pci-stub.ids=" it did not have), like
 * a real generator choking on a bad edit; run again on the restored files it succeeds, which is what brings the
 * generated grub.cfg back.
 */
class CommandFailureTest {
    static final String REGENERATE = """
            mkdir -p /boot/grub
            { echo "# generated from /etc/default/grub"; grep '^GRUB_CMDLINE_LINUX' /etc/default/grub; } > /boot/grub/grub.cfg.new
            mv /boot/grub/grub.cfg.new /boot/grub/grub.cfg
            """;
    static final String ON_NEW_CONFIG = "if grep -q '[.]ids=' /etc/default/grub; then\n";

    @TempDir
    Path tmp;
    HostCopy host;
    Map<String, String> before;

    @BeforeEach
    void host() throws Exception {
        assumeTrue(CrashAtEveryStepTest.isRoot(), "skipped: not root — commands run under chroot (CI runs this as root)");
        host = HostCopy.of(SampleHosts.SEED1, tmp.resolve("host")).withRunnableCommands();
        before = host.snapshot();
    }

    private Cli.Result apply(String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("--root", host.root.toString(), "apply", "--device", "65:00.0", "--yes"));
        args.addAll(List.of(extra));
        return Cli.run(args.toArray(String[]::new));
    }

    private void assertRestoredAndJournaledFailed() throws Exception {
        HostCopy.assertSameHost(before, host.snapshot(), "after the failed command");
        assertEquals(List.of(), host.tempFiles());
        JournalView journal = JournalView.read(host.root);
        assertEquals(1, journal.manifests().size());
        assertEquals("failed", journal.state(journal.manifests().keySet().iterator().next()));
        assertEquals(List.of(), journal.unfinished());
    }

    @Test
    void updateGrubExitingNonZero() throws Exception {
        host.withScript("update-grub", "#!/bin/sh\necho 'Generating grub configuration file ...'\n" + ON_NEW_CONFIG
                + "  echo 'Found linux image: /boot/vmlinuz-5.4.0-150-generic'\n"
                + "  echo partial > /boot/grub/grub.cfg\n"
                + "  echo '/etc/default/grub: line 10: syntax error: unexpected end of file' >&2\n  exit 3\nfi\n" + REGENERATE);
        before = host.snapshot();

        Cli.Result r = apply().exits(1);

        assertTrue(withoutProgress(r.err()).startsWith("passthrough: command `update-grub` failed with exit status 3 (last output: "
                + "/etc/default/grub: line 10: syntax error: unexpected end of file)"), r.err());
        assertTrue(r.err().contains("all files were restored to their state before the transaction"), r.err());
        assertTrue(r.err().contains("fix what the output says and apply again, or apply without commands"), r.err());
        // the output tail, as the user would have seen it
        assertTrue(r.err().contains("last output of `update-grub`:\n    | Generating grub configuration file ...\n"
                + "    | Found linux image: /boot/vmlinuz-5.4.0-150-generic\n    | /etc/default/grub: line 10"), r.err());
        // grub.cfg, which the failing run had overwritten, is regenerated from the restored defaults
        assertRestoredAndJournaledFailed();
    }

    @Test
    void updateGrubHanging() throws Exception {
        host.withScript("update-grub", "#!/bin/sh\necho 'Generating grub configuration file ...'\n" + ON_NEW_CONFIG
                + "  exec sleep 600\nfi\n" + REGENERATE);
        before = host.snapshot();

        Cli.Result r = apply("--command-timeout", "2").exits(1);

        assertTrue(withoutProgress(r.err()).startsWith("passthrough: command `update-grub` timed out after 2 s and was killed"), r.err());
        assertTrue(r.err().contains("all files were restored"), r.err());
        assertTrue(r.err().contains("apply again with a longer command timeout (--command-timeout SECONDS)"), r.err());
        assertTrue(r.err().contains("| Generating grub configuration file ..."), r.err());
        assertRestoredAndJournaledFailed();
        List<String> left = ProcessHandle.allProcesses().map(p -> p.info().commandLine().orElse(""))
                .filter(c -> c.contains("sleep 600")).toList();
        assertEquals(List.of(), left, "the hanging command and its children were killed");
    }

    @Test
    void commandTimeoutMustBePositive() {
        Cli.Result r = apply("--command-timeout", "0").exits(2);
        assertTrue(r.err().contains("--command-timeout 0"), r.err());
    }

    @Test
    void updateGrubMissingIsRefusedBeforeAnyWrite() throws Exception {
        Path plan = tmp.resolve("plan.json");
        Cli.run("--root", host.root.toString(), "plan", "--device", "65:00.0", "--out", plan.toString()).exits(0);
        Files.delete(host.root.resolve("usr/sbin/update-grub"));
        before = host.snapshot();

        Cli.Result r = Cli.run("--root", host.root.toString(), "apply", plan.toString(), "--yes").exits(3);

        assertTrue(r.err().contains("command `update-grub`: update-grub is not found inside the root"), r.err());
        assertTrue(r.err().contains("install the package that provides it, or apply without commands"), r.err());
        HostCopy.assertSameHost(before, host.snapshot(), "nothing written");
        assertFalse(Files.exists(host.root.resolve(HostCopy.JOURNAL).resolve("transactions")), "no transaction journaled");
    }

    @Test
    void updateGrubThatCannotStart() throws Exception {
        // present, but its interpreter is not in the root: chroot exits 127
        host.withScript("update-grub", "#!/bin/bash\necho never\n");
        before = host.snapshot();

        Cli.Result r = apply().exits(1);

        assertTrue(r.err().contains("command `update-grub` could not be run (not found or not executable, exit status 127)"), r.err());
        assertTrue(r.err().contains("No such file or directory"), r.err());
        assertRestoredAndJournaledFailed();
    }

    @Test
    void updateInitramfsFailingBeforeUpdateGrubRuns() throws Exception {
        host = HostCopy.of(SampleHosts.INTEL_IOMMU_OFF, tmp.resolve("debian")).withRunnableCommands();
        host.withScript("update-initramfs", "#!/bin/sh\necho 'update-initramfs: Generating /boot/initrd.img-6.1.0-27-amd64'\n"
                + "if [ -f /etc/initramfs-tools/modules ] && grep -q vfio /etc/initramfs-tools/modules; then\n"
                + "  echo 'E: /usr/share/initramfs-tools/hooks/vfio failed with return 1.' ; exit 1\nfi\n"
                + "if [ -f /etc/initramfs-tools/modules ]; then cat /etc/initramfs-tools/modules; fi > /boot/initrd.img.modules\n");
        host.chroot("/usr/sbin/update-initramfs");
        before = host.snapshot();

        Cli.Result r = Cli.run("--root", host.root.toString(), "apply", "--device", "01:00.0", "--allow-boot-gpu", "--yes").exits(1);

        assertTrue(withoutProgress(r.err()).startsWith("passthrough: command `update-initramfs -u -k 6.1.0-27-amd64` failed with exit status 1"), r.err());
        assertTrue(r.err().contains("| E: /usr/share/initramfs-tools/hooks/vfio failed with return 1."), r.err());
        // the initramfs is rebuilt first (a bootloader refresh may copy it), so update-grub never ran; every file,
        // grub.cfg included, is as before
        assertFalse(r.err().contains("update-grub` failed"), r.err());
        assertRestoredAndJournaledFailed();
    }

    @Test
    void rollbackWhoseCommandFailsOnTheRestoredFilesSaysSo() throws Exception {
        apply().exits(0);
        String applied = Files.readString(host.root.resolve("etc/default/grub"));
        // from now on update-grub fails on the OLD configuration
        host.withScript("update-grub", "#!/bin/sh\nif ! grep -q '[.]ids=' /etc/default/grub; then\n"
                + "  echo 'grub-probe: error: failed to get canonical path of /dev/root.' ; exit 1\nfi\n" + REGENERATE);

        Cli.Result r = Cli.run("--root", host.root.toString(), "rollback").exits(1);

        assertTrue(r.err().contains("every file was restored, but `update-grub` failed with exit status 1 when run again"), r.err());
        assertTrue(r.err().contains("run it by hand before rebooting"), r.err());
        assertTrue(r.err().contains("| grub-probe: error: failed to get canonical path of /dev/root."), r.err());
        assertFalse(Files.readString(host.root.resolve("etc/default/grub")).equals(applied), "the defaults are restored");
    }

    /**
     * stderr without the progress lines a command run writes when stderr is no terminal ("passthrough: running X",
     * "passthrough: X: failed after N s"): the error message follows them.
     */
    static String withoutProgress(String err) {
        return err.lines().filter(l -> !l.matches("passthrough: running .*")
                        && !l.matches("passthrough: .*: (ok|failed|timed out|missing) after \\d+ s")
                        && !l.matches("passthrough: .*: still running after \\d+ s.*"))
                .map(l -> l + "\n").collect(java.util.stream.Collectors.joining());
    }

    @Test
    void theProgressLinesNameEachCommandAndHowItEnded() throws Exception {
        host.withScript("update-grub", "#!/bin/sh\necho 'Generating grub configuration file ...'\n" + ON_NEW_CONFIG
                + "  echo 'syntax error' >&2\n  exit 3\nfi\n" + REGENERATE);
        Cli.Result r = apply().exits(1);
        assertTrue(r.err().startsWith("passthrough: running update-grub\npassthrough: update-grub: failed after "), r.err());
        assertTrue(r.err().contains("passthrough: update-grub: ok after "), "run again on the restored files: " + r.err());
    }
}
