package passthrough.it.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import passthrough.it.cli.Cli;

/**
 * A writable copy of a sample host for the reliability tests, and snapshots of everything in it (type, content digest,
 * mode, owner) to say "byte-identical to before" or "to after" about every file at once.
 */
final class HostCopy {
    /** The journal: passthrough's own record, compared separately. */
    static final String JOURNAL = "var/lib/passthrough";

    /**
     * A stand-in for update-grub that behaves like the real one where it matters here: it regenerates
     * /boot/grub/grub.cfg from /etc/default/grub, writing a new file and renaming it into place.
     */
    static final String UPDATE_GRUB = """
            #!/bin/sh
            # test stand-in for update-grub: regenerates /boot/grub/grub.cfg from /etc/default/grub
            set -e
            echo "Generating grub configuration file ..."
            mkdir -p /boot/grub
            { echo "# generated from /etc/default/grub"; grep '^GRUB_CMDLINE_LINUX' /etc/default/grub; } > /boot/grub/grub.cfg.new
            mv /boot/grub/grub.cfg.new /boot/grub/grub.cfg
            echo done
            """;
    static final String UPDATE_INITRAMFS = """
            #!/bin/sh
            # test stand-in for update-initramfs: records the early modules the next initramfs would hold
            set -e
            mkdir -p /boot
            # (no 2>/dev/null: a chroot has no /dev unless someone mounts it)
            if [ -f /etc/initramfs-tools/modules ]; then cat /etc/initramfs-tools/modules; fi > /boot/initrd.img.modules.new
            mv /boot/initrd.img.modules.new /boot/initrd.img.modules
            """;
    static final List<String> BUSYBOX_APPLETS = List.of("sh", "mkdir", "grep", "mv", "cat", "sleep", "echo", "true", "false");

    final String sample;
    final Path root;

    private HostCopy(String sample, Path root) {
        this.sample = sample;
        this.root = root;
    }

    static HostCopy of(String sample, Path dir) throws IOException {
        return new HostCopy(sample, Cli.copyTree(Cli.sample(sample), dir));
    }

    /** Replaces this copy's tree by {@code template}'s, keeping modes, owners and links (a prepared state, reused). */
    HostCopy replaceWith(Path template) throws IOException {
        passthrough.fixtures.HostWriter.deleteTree(root);
        Files.walkFileTree(template, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult preVisitDirectory(Path dir, java.nio.file.attribute.BasicFileAttributes a)
                    throws IOException {
                Path to = root.resolve(template.relativize(dir).toString());
                Files.createDirectories(to);
                Files.setAttribute(to, "unix:mode", Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS));
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes a)
                    throws IOException {
                Files.copy(file, root.resolve(template.relativize(file).toString()), LinkOption.NOFOLLOW_LINKS,
                        java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
        return this;
    }

    /** The static busybox from the machine, as /bin/busybox plus applet links, so scripts run under chroot. */
    static Path busybox() {
        Path b = Path.of("/bin/busybox");
        assertTrue(Files.isExecutable(b), "/bin/busybox is missing: install the busybox-static package (.ci/run does)");
        return b;
    }

    HostCopy withBusybox() throws IOException {
        Path bin = Files.createDirectories(root.resolve("bin"));
        Files.copy(busybox(), bin.resolve("busybox"));
        Files.setAttribute(bin.resolve("busybox"), "unix:mode", 0755);
        for (String applet : BUSYBOX_APPLETS) Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
        return this;
    }

    /** Replaces a program in the root (usr/sbin/NAME) by a script, mode 0755. */
    HostCopy withScript(String program, String script) throws IOException {
        Path p = root.resolve("usr/sbin").resolve(program);
        Files.createDirectories(p.getParent());
        Files.writeString(p, script);
        Files.setAttribute(p, "unix:mode", 0755);
        return this;
    }

    /** busybox, runnable update-grub and update-initramfs stand-ins, and grub.cfg generated once as a real host has it. */
    HostCopy withRunnableCommands() throws Exception {
        withBusybox().withScript("update-grub", UPDATE_GRUB).withScript("update-initramfs", UPDATE_INITRAMFS);
        chroot("/usr/sbin/update-grub");
        return this;
    }

    /**
     * Runs a command in the root. A script this JVM has just written can fail to start with "Text file busy": a
     * process another test thread forks at the moment the script's file is open for writing inherits that write
     * descriptor until its own exec, and the kernel refuses to execute a file open for writing. The window closes
     * by itself within milliseconds, so such a start is tried again (seen once in a CI rehearsal with the
     * CONCURRENT test classes running; passthrough itself writes and runs commands from one thread only).
     */
    void chroot(String... command) throws Exception {
        List<String> argv = new ArrayList<>(List.of("chroot", root.toString()));
        argv.addAll(List.of(command));
        for (int attempt = 1; ; attempt++) {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "chroot " + String.join(" ", command) + " hangs");
            if (p.exitValue() == 126 && out.contains("Text file busy") && attempt < 20) {
                Thread.sleep(50);
                continue;
            }
            assertEquals(0, p.exitValue(), "chroot " + String.join(" ", command) + ": " + out);
            return;
        }
    }

    /** Every entry except the journal and passthrough's temporary files, as "kind digest mode uid:gid". */
    Map<String, String> snapshot() throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList()) {
                String rel = root.relativize(p).toString();
                if (rel.isEmpty() || isJournal(rel) || isTemp(p)) continue;
                out.put(rel, describe(p));
            }
        }
        return out;
    }

    /** Fails naming only the entries that differ (a whole host does not fit in a message). */
    static void assertSameHost(Map<String, String> expected, Map<String, String> actual, String message) {
        if (expected.equals(actual)) return;
        java.util.Set<String> keys = new java.util.TreeSet<>(expected.keySet());
        keys.addAll(actual.keySet());
        StringBuilder sb = new StringBuilder(message).append(": the host differs:");
        for (String k : keys) {
            if (!java.util.Objects.equals(expected.get(k), actual.get(k))) {
                sb.append("\n  ").append(k).append(": expected ").append(expected.get(k)).append(", is ").append(actual.get(k));
            }
        }
        org.junit.jupiter.api.Assertions.fail(sb.toString());
    }

    /** passthrough's temporary files (".NAME.passthrough-TXID.tmp") anywhere outside the journal. */
    List<String> tempFiles() throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(HostCopy::isTemp).map(p -> root.relativize(p).toString()).toList();
        }
    }

    static boolean isJournal(String rel) {
        return rel.equals("var") || rel.equals("var/lib") || rel.equals(JOURNAL) || rel.startsWith(JOURNAL + "/");
    }

    static boolean isTemp(Path p) {
        String n = p.getFileName() == null ? "" : p.getFileName().toString();
        return n.startsWith(".") && n.contains(".passthrough-") && n.endsWith(".tmp");
    }

    static String describe(Path p) throws IOException {
        if (Files.isSymbolicLink(p)) return "link " + Files.readSymbolicLink(p);
        int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
        int uid = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int gid = (Integer) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS);
        String owner = String.format("%04o %d:%d", mode, uid, gid);
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) return "dir " + owner;
        return "file " + sha256(Files.readAllBytes(p)) + " " + owner;
    }

    /** The SHA-256 of a file's bytes as the journal records it, or "absent". */
    String digest(String rel) throws IOException {
        Path p = root.resolve(rel);
        return Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? sha256(Files.readAllBytes(p)) : "absent";
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
