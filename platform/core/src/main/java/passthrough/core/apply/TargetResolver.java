package passthrough.core.apply;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Resolves plan paths inside the host root before anything is written.
 *
 * <p>{@code HostRoot} reads a hostile tree safely by <em>reinterpreting</em> links (an absolute target is taken
 * from the root). Writing cannot work that way: the write goes through the real kernel, which would follow
 * {@code etc/default/grub -> /etc/shadow} to the machine's own shadow file. So here a link the kernel would
 * follow out of the root (an absolute target when the root is not "/", or {@code ..} above the root) is
 * refused, and every other link is followed to a real path that holds no links at all — that path is what
 * gets written.
 */
final class TargetResolver {
    private static final int MAX_LINKS = 40; // as the kernel's MAXSYMLINKS
    /** Kernel interfaces, not configuration: a plan writing there is a bug or an attack. */
    private static final Set<String> KERNEL_TREES = Set.of("proc", "sys", "dev");
    static final String JOURNAL_DIR = "var/lib/passthrough";
    /**
     * Installed third-party plugins and their audit records (core.plugins.audit.InstalledPlugins): written through
     * the executor like any configuration, so `history` shows an install and `rollback` undoes it. The rest of
     * JOURNAL_DIR (transactions, lock) stays the executor's own.
     */
    static final String PLUGIN_STORE = JOURNAL_DIR + "/plugins";

    private final Path root;
    private final boolean rootIsSlash;

    /** @param root the root's real path (no links in it) */
    TargetResolver(Path root) {
        this.root = root;
        this.rootIsSlash = root.getParent() == null;
    }

    Path root() {
        return root;
    }

    boolean rootIsSlash() {
        return rootIsSlash;
    }

    /** Resolves a plan's file path, refusing anything that could write outside the root or into kernel trees. */
    ResolvedTarget resolveFile(String requested) throws RefusedException {
        checkShape(requested);
        if (KERNEL_TREES.contains(firstSegment(requested))) {
            throw RefusedException.about(requested, "is under /" + firstSegment(requested)
                    + ", a kernel interface, not a configuration file", "remove it from the plan; passthrough never writes there");
        }
        ResolvedTarget t = walk(requested);
        if (KERNEL_TREES.contains(firstSegment(t.realPath()))) {
            throw RefusedException.about(requested, "leads through a link into /" + t.realPath()
                    + ", a kernel interface", "replace the link with a regular file or remove the path from the plan");
        }
        if ((t.realPath().equals(JOURNAL_DIR) || t.realPath().startsWith(JOURNAL_DIR + "/"))
                && !t.realPath().startsWith(PLUGIN_STORE + "/")) {
            throw RefusedException.about(requested, "is inside passthrough's own journal (/" + JOURNAL_DIR + ")",
                    "remove it from the plan; only the executor keeps files there");
        }
        Path real = root.resolve(t.realPath());
        if (t.exists()) {
            try {
                BasicFileAttributes a = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (!a.isRegularFile()) {
                    throw RefusedException.about(requested, (a.isDirectory() ? "is a directory" : "is not a regular file")
                            + ", but the plan replaces it as a file", "move it aside or re-run plan");
                }
            } catch (IOException e) {
                throw RefusedException.about(requested, "cannot be examined (" + e.getMessage() + ")", "check the file and retry");
            }
        }
        return t;
    }

    /** Resolves one of passthrough's own directories (the journal) with the same no-escape rule. */
    Path resolveOwnDirectory(String rel) throws RefusedException {
        ResolvedTarget t = walk(rel);
        return root.resolve(t.realPath());
    }

    /**
     * Whether a program exists inside the root, following links as {@code chroot} would (inside the chroot an
     * absolute link target is the chroot's own path, so this follows HostRoot's reading, not the write rule).
     */
    boolean programExists(String program, List<String> searchPath) {
        List<String> candidates = new ArrayList<>();
        if (program.contains("/")) candidates.add(program);
        else for (String dir : searchPath) candidates.add(dir + "/" + program);
        for (String c : candidates) {
            Optional<String> real = confinedLookup(c);
            if (real.isPresent() && Files.isRegularFile(root.resolve(real.get()), LinkOption.NOFOLLOW_LINKS)) return true;
        }
        return false;
    }

    private static void checkShape(String p) throws RefusedException {
        String wayOut = "plans name files relative to the root, like etc/default/grub; re-run plan";
        if (p.isEmpty()) throw RefusedException.about("(empty path)", "is not a file", wayOut);
        if (p.startsWith("/")) throw RefusedException.about(p, "is an absolute path", wayOut);
        if (p.indexOf('\0') >= 0) throw RefusedException.about(p, "contains a NUL byte", wayOut);
        for (String s : p.split("/", -1)) {
            if (s.equals("..")) throw RefusedException.about(p, "contains '..', which could climb out of the root", wayOut);
            if (s.isEmpty() || s.equals(".")) throw RefusedException.about(p, "is not a clean path (empty or '.' part)", wayOut);
        }
    }

    private static String firstSegment(String rel) {
        int slash = rel.indexOf('/');
        return slash < 0 ? rel : rel.substring(0, slash);
    }

    /** Follows links as the kernel would, refusing a step that leaves the root. */
    private ResolvedTarget walk(String requested) throws RefusedException {
        Deque<String> current = new ArrayDeque<>();
        Deque<String> pending = new ArrayDeque<>(split(requested));
        int links = 0;
        while (!pending.isEmpty()) {
            String part = pending.pollFirst();
            if (part.equals(".")) continue;
            if (part.equals("..")) {
                if (current.isEmpty()) {
                    if (rootIsSlash) continue; // the kernel keeps ".." at / on /
                    throw RefusedException.about(requested, "a symbolic link on the way climbs above the root " + root,
                            "make the link point inside the root, or edit the file by hand");
                }
                current.pollLast();
                continue;
            }
            String candidate = join(current, part);
            Path p = root.resolve(candidate);
            BasicFileAttributes attrs;
            try {
                attrs = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                return missingFrom(requested, current, part, pending);
            } catch (IOException e) {
                throw RefusedException.about(requested, "cannot examine /" + candidate + " (" + e.getMessage() + ")",
                        "check permissions and retry");
            }
            if (attrs.isSymbolicLink()) {
                if (++links > MAX_LINKS) {
                    throw RefusedException.about(requested, "has too many levels of symbolic links", "fix the link loop at /" + candidate);
                }
                String target;
                try {
                    target = Files.readSymbolicLink(p).toString();
                } catch (IOException e) {
                    throw RefusedException.about(requested, "cannot read link /" + candidate, "check the link and retry");
                }
                if (target.startsWith("/")) {
                    if (!rootIsSlash) {
                        throw RefusedException.about(requested, "/" + candidate + " is a symbolic link to " + target
                                + ", which the kernel follows outside the root " + root,
                                "make the link relative (ln -sfr) so it stays inside the root, or edit the file by hand");
                    }
                    current.clear();
                }
                List<String> parts = split(target);
                for (int i = parts.size() - 1; i >= 0; i--) pending.addFirst(parts.get(i));
                continue;
            }
            if (!pending.isEmpty() && !attrs.isDirectory()) {
                throw RefusedException.about(requested, "/" + candidate + " is not a directory", "move it aside or re-run plan");
            }
            current.addLast(part);
        }
        return new ResolvedTarget(requested, String.join("/", current), true, List.of());
    }

    /** {@code part} does not exist: it and the rest are to be created (directories, then the file). */
    private ResolvedTarget missingFrom(String requested, Deque<String> current, String part, Deque<String> rest)
            throws RefusedException {
        List<String> remaining = new ArrayList<>();
        remaining.add(part);
        remaining.addAll(rest);
        List<String> clean = new ArrayList<>();
        for (String r : remaining) {
            if (r.equals(".")) continue;
            if (r.equals("..")) {
                // only a link target can bring this here; mkdir-then-.. games are not worth supporting
                throw RefusedException.about(requested, "a symbolic link leads through a missing directory and '..'",
                        "create the directories by hand or fix the link");
            }
            clean.add(r);
        }
        List<String> dirs = new ArrayList<>();
        Deque<String> path = new ArrayDeque<>(current);
        for (int i = 0; i < clean.size() - 1; i++) {
            path.addLast(clean.get(i));
            dirs.add(String.join("/", path));
        }
        path.addLast(clean.get(clean.size() - 1));
        return new ResolvedTarget(requested, String.join("/", path), false, dirs);
    }

    /** HostRoot's confined reading: absolute targets restart at the root, ".." stops at it. */
    private Optional<String> confinedLookup(String rel) {
        Deque<String> current = new ArrayDeque<>();
        Deque<String> pending = new ArrayDeque<>(split(rel));
        int links = 0;
        while (!pending.isEmpty()) {
            String part = pending.pollFirst();
            if (part.equals(".")) continue;
            if (part.equals("..")) {
                current.pollLast();
                continue;
            }
            Path p = root.resolve(join(current, part));
            if (Files.isSymbolicLink(p)) {
                if (++links > MAX_LINKS) return Optional.empty();
                String target;
                try {
                    target = Files.readSymbolicLink(p).toString();
                } catch (IOException e) {
                    return Optional.empty();
                }
                if (target.startsWith("/")) current.clear();
                List<String> parts = split(target);
                for (int i = parts.size() - 1; i >= 0; i--) pending.addFirst(parts.get(i));
                continue;
            }
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return Optional.empty();
            current.addLast(part);
        }
        return Optional.of(String.join("/", current));
    }

    private static List<String> split(String path) {
        List<String> out = new ArrayList<>();
        for (String s : path.split("/")) if (!s.isEmpty()) out.add(s);
        return out;
    }

    private static String join(Deque<String> dirs, String name) {
        return dirs.isEmpty() ? name : String.join("/", dirs) + "/" + name;
    }
}
