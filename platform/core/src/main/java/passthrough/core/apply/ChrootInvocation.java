package passthrough.core.apply;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * How a command is started inside another root. update-grub (grub-probe) and update-initramfs need /dev, /proc and
 * /sys inside the root, which a bare {@code chroot} does not give them. As root, the command therefore runs in a
 * private mount namespace ({@code unshare --mount --propagation private}) in which the host's /dev, /proc, /sys
 * and /run are bind-mounted into the root before the chroot: the mounts exist only for that process tree and
 * vanish with it — also when it is killed or times out — so nothing is left mounted in the user's root and no
 * later cleanup can walk into the host's /dev. A mount point that is a symbolic link in the root, or missing, is
 * left alone (a link could aim the bind mount anywhere). Without root (or without unshare) a plain chroot is all
 * that can be done, and the output says so.
 */
final class ChrootInvocation {
    /** Directories bound into the root, parents before children. */
    static final List<String> MOUNTS = List.of("dev", "dev/pts", "proc", "sys", "run");

    /**
     * The shell that mounts and then becomes the command: $1 is the root, the rest the command. Each mount is
     * checked (a real directory in the root, not already a mount point there) and a failure is reported but not
     * fatal: the command may not need that file system, and if it does its own error says which.
     */
    static final String MOUNT_THEN_CHROOT = String.join("\n",
            "root=$1; shift",
            "for d in " + String.join(" ", MOUNTS) + "; do",
            "  if [ -d \"$root/$d\" ] && [ ! -L \"$root/$d\" ] && ! mountpoint -q \"$root/$d\"; then",
            "    why=$(mount --rbind \"/$d\" \"$root/$d\" 2>&1) || echo \"passthrough: could not mount /$d in $root: $why\" >&2",
            "  fi",
            "done",
            "exec chroot \"$root\" \"$@\"");

    private static volatile Boolean namespacesWork;

    private ChrootInvocation() {
    }

    /** The argv that runs {@code argv} inside {@code root}. */
    static List<String> argv(Path root, List<String> argv) {
        return argv(root, argv, canUseMountNamespace());
    }

    /** @param mountNamespace whether this process can make a mount namespace (root, unshare present and allowed) */
    static List<String> argv(Path root, List<String> argv, boolean mountNamespace) {
        List<String> full = new ArrayList<>();
        if (mountNamespace) {
            full.addAll(List.of(program("unshare"), "--mount", "--propagation", "private", "--", "/bin/sh", "-c",
                    MOUNT_THEN_CHROOT, "passthrough-chroot", root.toString()));
        } else {
            full.addAll(List.of(program("chroot"), root.toString()));
        }
        full.addAll(argv);
        return full;
    }

    /** Whether commands get /dev, /proc and /sys: said in the command's journal line when they do not. */
    static boolean mountsAvailable() {
        return canUseMountNamespace();
    }

    /** Root, unshare present, and the kernel lets us make a mount namespace (not in every container): tried once. */
    private static boolean canUseMountNamespace() {
        Boolean known = namespacesWork;
        if (known != null) return known;
        boolean works = false;
        try {
            if ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0 && Files.isExecutable(Path.of(program("unshare")))) {
                Process p = new ProcessBuilder(program("unshare"), "--mount", "--propagation", "private", "true")
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                works = p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
                if (p.isAlive()) p.destroyForcibly();
            }
        } catch (IOException | RuntimeException e) {
            works = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        namespacesWork = works;
        return works;
    }

    static String program(String name) {
        for (String dir : List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin")) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) return p.toString();
        }
        return name;
    }
}
