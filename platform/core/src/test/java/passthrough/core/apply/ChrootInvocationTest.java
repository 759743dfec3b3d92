package passthrough.core.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a command is started inside another root. The mount script is tested without root by running it with
 * stand-ins for mount, mountpoint and chroot that only record what they were asked; the namespace itself (the
 * mounts vanish with the command, also when it is killed) needs root and is checked when the tests run as root.
 */
class ChrootInvocationTest {
    @TempDir
    Path dir;

    @Test
    void asRootTheCommandStartsInAPrivateMountNamespaceThatMountsThenChroots() {
        Path root = Path.of("/srv/the root");
        List<String> argv = ChrootInvocation.argv(root, List.of("update-grub"), true);
        assertTrue(argv.get(0).endsWith("unshare"), argv.toString());
        assertEquals(List.of("--mount", "--propagation", "private", "--", "/bin/sh", "-c", ChrootInvocation.MOUNT_THEN_CHROOT,
                "passthrough-chroot", "/srv/the root", "update-grub"), argv.subList(1, argv.size()));
    }

    @Test
    void withoutMountNamespacesItIsAPlainChroot() {
        List<String> argv = ChrootInvocation.argv(Path.of("/srv/r"), List.of("update-initramfs", "-u", "-k", "6.1.0-50-amd64"), false);
        assertTrue(argv.get(0).endsWith("chroot"), argv.toString());
        assertEquals(List.of("/srv/r", "update-initramfs", "-u", "-k", "6.1.0-50-amd64"), argv.subList(1, argv.size()));
    }

    /** What the mount script did, as recorded by the stand-ins. */
    record ScriptRun(int exit, List<String> mounts, List<String> stdout, String stderr) {
    }

    private ScriptRun runScript(Path root, List<String> alreadyMounted, String failingTarget, String... argv) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("stand-ins"));
        Path log = dir.resolve("mount.log");
        Path mounted = dir.resolve("mounted");
        Files.write(mounted, alreadyMounted);
        Files.deleteIfExists(log);
        Files.createFile(log);
        // mount: records its arguments, and fails for one target the way a refused mount does (exit 32)
        script(bin.resolve("mount"), "printf '%s|' \"$@\" >> '" + log + "'; echo >> '" + log + "'\n"
                + "[ \"$3\" = '" + failingTarget + "' ] && { echo 'mount: permission denied' >&2; exit 32; }\nexit 0");
        // mountpoint -q DIR: true for the directories listed in the file
        script(bin.resolve("mountpoint"), "[ \"$1\" = -q ] || exit 2\nexec /bin/grep -qxF -- \"$2\" '" + mounted + "'");
        // chroot: prints each argument on a line, so quoting can be checked
        script(bin.resolve("chroot"), "printf '%s\\n' chroot \"$@\"");
        List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", ChrootInvocation.MOUNT_THEN_CHROOT, "passthrough-chroot", root.toString()));
        cmd.addAll(List.of(argv));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(dir.resolve("stderr").toFile());
        pb.environment().put("PATH", bin.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        List<String> mounts = Files.readAllLines(log).stream().map(l -> l.replace('|', ' ').strip()).toList();
        return new ScriptRun(p.exitValue(), mounts, out.lines().toList(), Files.readString(dir.resolve("stderr")));
    }

    private static void script(Path p, String body) throws IOException {
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setAttribute(p, "unix:mode", 0755);
    }

    @Test
    void mountsOnlyRealDirectoriesThatAreNotMountedYetAndAFailedMountDoesNotStopTheCommand() throws Exception {
        Path root = Files.createDirectories(dir.resolve("a root"));
        Files.createDirectories(root.resolve("dev/pts"));        // pts: the user already mounted it
        Files.createDirectories(dir.resolve("outside"));
        Files.createSymbolicLink(root.resolve("proc"), dir.resolve("outside")); // a link could aim the mount anywhere
        // no sys/ at all
        Files.createDirectories(root.resolve("run"));             // its mount is refused
        String r = root.toString();

        ScriptRun run = runScript(root, List.of(r + "/dev/pts"), r + "/run", "update-grub", "two words", "$HOME;*");

        assertEquals(0, run.exit(), run.stderr());
        assertEquals(List.of("--rbind /dev " + r + "/dev", "--rbind /run " + r + "/run"), run.mounts());
        assertEquals(List.of("chroot", r, "update-grub", "two words", "$HOME;*"), run.stdout(), "exec chroot ROOT argv, verbatim");
        assertTrue(run.stderr().contains("passthrough: could not mount /run in " + r + ": mount: permission denied"), run.stderr());
    }

    @Test
    void aRootTheUserAlreadyPreparedIsUsedAsItIs() throws Exception {
        Path root = Files.createDirectories(dir.resolve("mnt"));
        List<String> all = new ArrayList<>();
        for (String d : ChrootInvocation.MOUNTS) {
            Files.createDirectories(root.resolve(d));
            all.add(root.resolve(d).toString());
        }
        ScriptRun run = runScript(root, all, "", "true");
        assertEquals(List.of(), run.mounts());
        assertEquals(List.of("chroot", root.toString(), "true"), run.stdout());
        assertEquals("", run.stderr());
    }

    @Test
    void asRootAKilledCommandLeavesNothingMounted() throws Exception {
        Assumptions.assumeTrue(ChrootInvocation.mountsAvailable(), "needs root and mount namespaces (CI runs as root)");
        TestRoot host = new TestRoot(dir.resolve("host"));
        host.installBusybox();
        for (String d : ChrootInvocation.MOUNTS) Files.createDirectories(host.root.resolve(d));
        CommandFailedException e = assertThrows(CommandFailedException.class, () -> host.executor().apply(TestRoot.description(),
                host.typicalPlan(), List.of(new CommandOperation(List.of("/bin/busybox", "sh", "-c",
                        "/bin/busybox test -e /proc/self/status && echo mounted && exec /bin/busybox sleep 60"), Duration.ofSeconds(2))),
                ApplyOptions.defaults()));
        assertEquals(CommandResult.Outcome.TIMED_OUT, e.outcome());
        assertEquals(List.of("mounted"), e.outputTail(), "it ran with /proc mounted");
        assertNothingMountedIn(host.root);
    }

    @Test
    void asRootWhatTheUserMountedInTheRootIsWhatTheCommandSees() throws Exception {
        Assumptions.assumeTrue(ChrootInvocation.mountsAvailable(), "needs root and mount namespaces (CI runs as root)");
        TestRoot host = new TestRoot(dir.resolve("host"));
        host.installBusybox();
        for (String d : ChrootInvocation.MOUNTS) Files.createDirectories(host.root.resolve(d));
        Path run = host.root.resolve("run");
        // a rescue system's user who bound their own /run first (here: a tmpfs with a marker)
        exec("mount", "-t", "tmpfs", "passthrough-test", run.toString());
        try {
            Files.writeString(run.resolve("marker"), "mine\n");
            ApplyResult r = host.executor().apply(TestRoot.description(), host.typicalPlan(), List.of(new CommandOperation(
                    List.of("/bin/busybox", "cat", "/run/marker"), null)), ApplyOptions.defaults());
            assertEquals(List.of("mine"), r.commands().get(0).outputTail(), "the user's /run, not the host's over it");
        } finally {
            exec("umount", run.toString());
        }
        assertNothingMountedIn(host.root);
    }

    private static void assertNothingMountedIn(Path root) throws IOException {
        String mounts = Files.readString(Path.of("/proc/self/mountinfo"));
        assertFalse(mounts.contains(root.toString()), "the mounts lived in the command's own namespace only:\n" + mounts);
        for (String d : List.of("proc", "sys", "dev/pts", "run")) {
            try (Stream<Path> s = Files.list(root.resolve(d))) {
                assertEquals(0, s.count(), root.resolve(d) + " is empty again");
            }
        }
        try (Stream<Path> s = Files.list(root.resolve("dev"))) {
            assertEquals(List.of("pts"), s.map(p -> p.getFileName().toString()).toList(), root.resolve("dev") + " as before");
        }
    }

    private static void exec(String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", argv) + ": " + out);
    }
}
