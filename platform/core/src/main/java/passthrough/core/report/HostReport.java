package passthrough.core.report;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeSet;
import passthrough.api.HostFacts;
import passthrough.core.host.HostAccessLog;
import passthrough.core.host.HostFactsReader;
import passthrough.core.host.HostNeeds;
import passthrough.core.host.HostRoot;
import passthrough.core.host.HostRootException;
import passthrough.core.host.UsbTopology;

/**
 * Captures exactly what {@link HostFactsReader} and {@link UsbTopology} read — the sysfs subset as files and links,
 * proc files, os-release, boot and module configuration, the USB controllers' trees — into a tar.gz that, unpacked, is a valid {@code --root}.
 * Users share it when asking for help; the project turns real machines into test fixtures with it.
 */
public final class HostReport {

    /** What was captured. */
    public record Summary(Path archive, HostFacts facts, int files, int symlinks, int directories, long bytes) {
    }

    private HostReport() {
    }

    /**
     * Reads the host at {@code rootDir} and writes the archive to {@code out} atomically (a temporary file next to
     * it, renamed when complete), so a failed capture leaves nothing behind.
     */
    public static Summary capture(Path rootDir, Path out) throws HostRootException, IOException {
        return capture(rootDir, out, HostNeeds.CORE);
    }

    /** With the files and commands the loaded plugins and the profiles read ({@code needs}), so a replay sees them. */
    public static Summary capture(Path rootDir, Path out, HostNeeds needs) throws HostRootException, IOException {
        HostAccessLog log = new HostAccessLog();
        HostRoot root = HostRoot.open(rootDir, log);
        HostFacts facts = HostFactsReader.read(root, needs);
        // the USB controllers' trees too, so `groups --usb` (and a plan taking a USB controller) reads the same on it
        UsbTopology.read(root, facts);

        Path dir = out.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + out.getFileName() + ".", ".part");
        try {
            int files;
            int links;
            int dirs;
            try (OutputStream os = Files.newOutputStream(tmp, StandardOpenOption.TRUNCATE_EXISTING);
                 TarGzWriter tar = new TarGzWriter(os, System.currentTimeMillis() / 1000)) {
                Map<String, byte[]> fileMap = log.files();
                Map<String, String> linkMap = log.symlinks();
                TreeSet<String> directories = new TreeSet<>(log.directories());
                // every parent of what is stored must exist when unpacked, even if it was never listed
                for (String p : fileMap.keySet()) addParents(directories, p);
                for (String p : linkMap.keySet()) addParents(directories, p);
                for (String p : log.existenceOnly()) addParents(directories, p);
                directories.add("sys");
                for (String d : directories) tar.directory(d);
                for (var e : linkMap.entrySet()) tar.symlink(e.getKey(), e.getValue());
                for (var e : fileMap.entrySet()) tar.file(e.getKey(), ReportRedaction.redact(e.getKey(), e.getValue()));
                for (String p : log.existenceOnly()) tar.file(p, new byte[0]);
                files = fileMap.size() + log.existenceOnly().size();
                links = linkMap.size();
                dirs = directories.size();
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            try {
                Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING);
            }
            return new Summary(out, facts, files, links, dirs, Files.size(out));
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void addParents(TreeSet<String> dirs, String path) {
        int slash = path.lastIndexOf('/');
        while (slash > 0) {
            String parent = path.substring(0, slash);
            dirs.add(parent);
            slash = parent.lastIndexOf('/');
        }
    }
}
