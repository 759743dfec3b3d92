package passthrough.core.apply;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every check an apply needs, done before the first write, so a refusal leaves the host exactly as it was:
 * paths stay inside the root, the plan is not stale, no file is named twice, every command can be found.
 */
final class Preflight {
    private final TargetResolver resolver;
    private final CommandRunner runner;

    Preflight(TargetResolver resolver, CommandRunner runner) {
        this.resolver = resolver;
        this.runner = runner;
    }

    List<PreflightedFile> check(List<FileOperation> files, List<CommandOperation> commands, ApplyOptions options)
            throws RefusedException {
        List<PreflightedFile> planned = new ArrayList<>();
        Map<String, String> seen = new HashMap<>();
        for (FileOperation op : files) {
            ResolvedTarget t = resolver.resolveFile(op.path());
            String earlier = seen.putIfAbsent(t.realPath(), op.path());
            if (earlier != null) {
                throw RefusedException.about(op.path(), "is the same file as " + earlier + " (both are /" + t.realPath()
                        + ")", "a plan may change each file once; re-run plan");
            }
            planned.add(plan(op, t));
        }
        if (options.runCommands()) {
            for (CommandOperation c : commands) {
                if (!runner.programExists(c.argv())) {
                    throw new RefusedException("command `" + c.display() + "`: " + c.argv().get(0)
                            + " is not found inside the root " + resolver.root()
                            + "; install the package that provides it, or apply without commands and run it yourself");
                }
            }
        }
        return planned;
    }

    private PreflightedFile plan(FileOperation op, ResolvedTarget t) throws RefusedException {
        Path real = resolver.root().resolve(t.realPath());
        byte[] current = null;
        Ownership ownership = Ownership.NEW_FILE;
        if (t.exists()) {
            try {
                current = Files.readAllBytes(real);
                ownership = Ownership.of(real);
            } catch (IOException e) {
                throw RefusedException.about(op.path(), "cannot be read (" + e.getMessage() + ")", "check the file and retry");
            }
        }
        String before = current == null ? FileOperation.ABSENT : FileDigest.of(current);
        byte[] wanted = op.newContent();
        String after = wanted == null ? FileOperation.ABSENT : FileDigest.of(wanted);
        // Already as wanted: nothing to do, whatever the plan saw. This is what makes a second apply a no-op.
        Ownership wantedOwnership = op.executable() ? ownership.executable() : ownership;
        boolean reached = wanted == null ? current == null
                : current != null && Arrays.equals(current, wanted) && wantedOwnership.equals(ownership);
        if (reached) return new PreflightedFile(t, FileAction.UNCHANGED, before, after, current, wanted, ownership, ownership);
        if (!before.equals(op.expectedDigest())) {
            throw RefusedException.about(op.path(), "changed since the plan was made (stale plan: the plan saw "
                    + FileDigest.shortForm(op.expectedDigest()) + ", the file is now " + FileDigest.shortForm(before) + ")",
                    "re-run plan");
        }
        FileAction action = wanted == null ? FileAction.DELETE : current == null ? FileAction.CREATE : FileAction.REPLACE;
        requireWritable(op.path(), real, t.exists());
        return new PreflightedFile(t, action, before, after, current, wanted, ownership, wantedOwnership);
    }

    /**
     * A read-only mount or the immutable attribute would make the write fail half-way through the transaction;
     * found here, nothing is written at all. (access(2) answers for root too: EROFS and EPERM for immutable.)
     */
    private static void requireWritable(String requested, Path real, boolean exists) throws RefusedException {
        String wayOut = "make it writable (mount -o remount,rw; chattr -i) and apply again";
        if (exists && !Files.isWritable(real)) {
            throw RefusedException.about(requested, "cannot be replaced: it is on a read-only file system or has the "
                    + "immutable attribute (lsattr " + real + "); nothing was written", wayOut);
        }
        Path dir = real.getParent();
        while (dir != null && !Files.isDirectory(dir)) dir = dir.getParent();
        if (dir != null && !Files.isWritable(dir)) {
            throw RefusedException.about(requested, "cannot be written: its directory " + dir + " is on a read-only file "
                    + "system or has the immutable attribute; nothing was written", wayOut);
        }
    }
}
