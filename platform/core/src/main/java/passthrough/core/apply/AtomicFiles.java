package passthrough.core.apply;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes that survive a crash or power loss at any instant: a file is either wholly old or wholly new, never
 * half-written, and a rename is on disk before the journal says it happened.
 */
final class AtomicFiles {
    private AtomicFiles() {
    }

    /** The temporary name beside {@code target}; fixed per transaction so recovery can find and remove it. */
    static Path tempFor(Path target, String txid) {
        return target.resolveSibling("." + target.getFileName() + ".passthrough-" + txid + ".tmp");
    }

    /**
     * Temp file in the same directory (rename is only atomic within one file system), written and fsynced,
     * given the original's mode and owner, renamed over the target, then the directory fsynced so the rename
     * itself is durable.
     */
    static void write(Path target, byte[] bytes, Ownership ownership, String txid) throws IOException {
        Path dir = target.getParent();
        requireNoLinks(dir);
        Path temp = tempFor(target, txid);
        FaultInjection.point("temp-create " + temp);
        Files.deleteIfExists(temp);
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            // mode and owner before the bytes, so a 0600 file's content is never readable by others
            ownership.applyTo(temp);
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            if (FaultInjection.enabled()) { // a crash test also stops with the temp file half written
                buf.limit(bytes.length / 2);
                while (buf.hasRemaining()) ch.write(buf);
                FaultInjection.point("temp-half-written " + temp);
                buf.limit(bytes.length);
            }
            while (buf.hasRemaining()) ch.write(buf);
            ch.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        FaultInjection.point("rename " + temp + " -> " + target);
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        FaultInjection.point("renamed " + target);
        fsyncDirectory(dir);
    }

    /** Removes {@code target} durably; a file already gone is fine (the goal is reached). */
    static void delete(Path target) throws IOException {
        requireNoLinks(target.getParent());
        FaultInjection.point("delete " + target);
        try {
            Files.delete(target);
        } catch (NoSuchFileException e) {
            return;
        }
        FaultInjection.point("deleted " + target);
        fsyncDirectory(target.getParent());
    }

    /** Creates one directory (its parent exists) durably. */
    static void createDirectory(Path dir) throws IOException {
        requireNoLinks(dir.getParent());
        FaultInjection.point("mkdir " + dir);
        Files.createDirectory(dir);
        Ownership.NEW_DIRECTORY.applyTo(dir);
        fsyncDirectory(dir.getParent());
    }

    /** Removes a directory only when empty: the user may have put files there since. */
    static boolean removeDirectoryIfEmpty(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return true;
        try (var s = Files.list(dir)) {
            if (s.findAny().isPresent()) return false;
        }
        FaultInjection.point("rmdir " + dir);
        Files.delete(dir);
        fsyncDirectory(dir.getParent());
        return true;
    }

    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /**
     * The resolver checked the path before the first write; this re-checks at write time that no directory on
     * the way was swapped for a link since, so a race cannot redirect a write out of the root.
     */
    private static void requireNoLinks(Path dir) throws IOException {
        Path real = dir.toRealPath();
        if (!real.equals(dir)) {
            throw new IOException(dir + " now leads through a symbolic link to " + real + "; refusing to write through it");
        }
    }
}
