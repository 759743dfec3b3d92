package passthrough.core.apply;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** A small host root on disk for executor tests, and a snapshot of everything in it to compare before/after. */
final class TestRoot {
    static final String GRUB = "GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n";
    static final String GRUB_NEW = "GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on\"\n";

    final Path root;

    TestRoot(Path root) throws IOException {
        this.root = root;
        Files.createDirectories(root.resolve("etc/default"));
        Files.createDirectories(root.resolve("proc"));
        Files.createDirectories(root.resolve("sys"));
        Files.writeString(root.resolve("etc/default/grub"), GRUB);
        // an unusual mode and owner, so "kept" cannot pass by accident with the defaults
        new Ownership(0640, 1234, 5678).applyTo(root.resolve("etc/default/grub"));
        Files.writeString(root.resolve("etc/old.conf"), "old\n");
    }

    PlanExecutor executor() throws RefusedException {
        return PlanExecutor.forRoot(root);
    }

    PlanExecutor executor(StepHook hook) throws RefusedException {
        return PlanExecutor.forRoot(root, hook);
    }

    String digest(String rel) throws IOException {
        return FileDigest.ofFile(root.resolve(rel));
    }

    String read(String rel) throws IOException {
        return Files.readString(root.resolve(rel));
    }

    Ownership ownership(String rel) throws IOException {
        return Ownership.of(root.resolve(rel));
    }

    /** Replace grub, create a file in two new directories, delete old.conf. */
    List<FileOperation> typicalPlan() throws IOException {
        return List.of(
                FileOperation.write("etc/default/grub", digest("etc/default/grub"), bytes(GRUB_NEW)),
                FileOperation.write("etc/modprobe.d/passthrough/vfio.conf", FileOperation.ABSENT, bytes("options vfio-pci ids=10de:1b80\n")),
                FileOperation.delete("etc/old.conf", digest("etc/old.conf")));
    }

    /** Copies the static busybox in, so commands can really run under chroot. */
    void installBusybox() throws IOException {
        Files.createDirectories(root.resolve("bin"));
        Files.copy(Path.of("/bin/busybox"), root.resolve("bin/busybox"));
        Files.setAttribute(root.resolve("bin/busybox"), "unix:mode", 0755);
    }

    /** Every entry except the journal: type, content digest, mode, owner; equal snapshots mean "nothing changed". */
    Map<String, String> snapshot() throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList()) {
                String rel = root.relativize(p).toString();
                // the journal (and the var/lib it needed) is passthrough's own record, not host configuration
                if (rel.equals("var") || rel.equals("var/lib") || rel.startsWith("var/lib/passthrough")) continue;
                String kind = Files.isSymbolicLink(p) ? "link " + Files.readSymbolicLink(p)
                        : Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "dir" : "file " + FileDigest.ofFile(p);
                out.put(rel, kind + " " + (Files.isSymbolicLink(p) ? "" : Ownership.of(p).toString()));
            }
        }
        return out;
    }

    boolean journalExists() {
        return Files.exists(root.resolve("var/lib/passthrough"));
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static TransactionDescription description() {
        return new TransactionDescription("plan-1", "reserve 01:00.0 for vfio-pci");
    }
}
