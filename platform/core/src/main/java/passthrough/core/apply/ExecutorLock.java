package passthrough.core.apply;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One apply/rollback at a time per root. The file lock stops other processes and is dropped by the kernel
 * when a process dies, so a crash never leaves a stale lock; the in-process set stops other threads, because
 * a JVM holds file locks for the whole process (a second tryLock would throw, not wait).
 */
final class ExecutorLock implements AutoCloseable {
    private static final Set<Path> HELD_IN_THIS_PROCESS = ConcurrentHashMap.newKeySet();

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private ExecutorLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    static ExecutorLock acquire(Path file) throws RefusedException, IOException {
        Files.createDirectories(file.getParent());
        if (!HELD_IN_THIS_PROCESS.add(file)) throw busy(file, ProcessHandle.current().pid());
        FileChannel ch = null;
        try {
            // never through a link: a planted lock -> /etc/shadow would be truncated below
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    java.nio.file.LinkOption.NOFOLLOW_LINKS);
            FileLock l = ch.tryLock();
            if (l == null) throw busy(file, readPid(file));
            // the holder's pid, so a refused run can tell the user which process to wait for
            ch.truncate(0);
            ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            ch.force(false);
            FaultInjection.point("lock-held " + file);
            return new ExecutorLock(file, ch, l);
        } catch (RefusedException | IOException | RuntimeException e) {
            if (ch != null) ch.close();
            HELD_IN_THIS_PROCESS.remove(file);
            throw e;
        }
    }

    private static RefusedException busy(Path file, String pid) {
        return new RefusedException("another passthrough apply/rollback is running (pid " + pid
                + "); wait for it to finish and try again (lock: " + file + ")");
    }

    private static RefusedException busy(Path file, long pid) {
        return busy(file, Long.toString(pid));
    }

    private static String readPid(Path file) {
        try {
            String s = Files.readString(file, StandardCharsets.US_ASCII).trim();
            return s.isEmpty() ? "unknown" : s;
        } catch (IOException e) {
            return "unknown";
        }
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
            channel.close();
        } finally {
            HELD_IN_THIS_PROCESS.remove(file);
        }
    }
}
