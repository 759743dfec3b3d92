package passthrough.core.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The host's file tree seen from a root directory, like {@code chroot}: every path is relative to the root,
 * and symbolic links are resolved inside it — an absolute target is taken from the root, and {@code ..} never
 * climbs above it. So a captured host (whose sysfs links are relative) and a hostile tree (a link to /etc/shadow)
 * are read the same safe way, and the real host is simply root "/".
 */
public final class HostRoot {
    private static final int MAX_LINKS = 40; // as the kernel's MAXSYMLINKS
    /** O_NOFOLLOW: opening a link fails (ELOOP) instead of following it outside the root. */
    private static final Set<OpenOption> READ_NO_FOLLOW_LINKS = Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);

    private final Path root;
    private final HostAccessLog log;
    private final Map<String, Optional<String>> resolvedDirectories = new ConcurrentHashMap<>();

    private HostRoot(Path root, HostAccessLog log) {
        this.root = root;
        this.log = log;
    }

    /**
     * Opens a root directory.
     *
     * @param log where to record every access (for reports), or null
     * @throws HostRootException when it does not exist, is not a directory, or holds no sys/
     */
    public static HostRoot open(Path dir, HostAccessLog log) throws HostRootException {
        if (!Files.exists(dir)) {
            throw new HostRootException(dir, "no such directory; give the directory a host was captured into "
                    + "(tar xzf report.tar.gz -C DIR) or leave out --root to read this machine");
        }
        if (!Files.isDirectory(dir)) {
            throw new HostRootException(dir, "not a directory; if it is a report archive, unpack it first "
                    + "(mkdir DIR && tar xzf " + dir.getFileName() + " -C DIR) and give DIR");
        }
        if (!Files.isDirectory(dir.resolve("sys"))) {
            throw new HostRootException(dir, "holds no sys/ directory, so it is not a host root; capture one "
                    + "with `passthrough report --out host.tar.gz` on the machine, or use / on a running system");
        }
        try {
            return new HostRoot(dir.toRealPath(), log);
        } catch (IOException e) {
            throw new HostRootException(dir, "cannot be opened (" + e.getMessage() + ")");
        }
    }

    /**
     * Opens any directory tree (an unpacked initramfs, a root without a captured sys/) for reading with the same
     * semantics as a host root: links followed as a chroot would, {@code ..} stopping at the top.
     */
    public static HostRoot ofTree(Path dir) throws IOException {
        return new HostRoot(dir.toRealPath(), null);
    }

    public Path path() {
        return root;
    }

    /** A path resolved inside the root, with the attributes of what it names (null for the root itself). */
    private record Resolved(String path, BasicFileAttributes attrs) {
        boolean isDirectory() {
            return attrs == null || attrs.isDirectory();
        }
    }

    /** The real location of {@code rel} inside the root after resolving links, or empty when it does not exist. */
    public Optional<String> resolve(String rel) {
        return resolved(rel).map(Resolved::path);
    }

    private Optional<Resolved> resolved(String rel) {
        String clean = trim(rel);
        if (clean.isEmpty()) return Optional.of(new Resolved("", null));
        int slash = clean.lastIndexOf('/');
        String parent = slash < 0 ? "" : clean.substring(0, slash);
        String name = clean.substring(slash + 1);
        Optional<String> dir = resolveDirectory(parent);
        if (dir.isEmpty()) return Optional.empty();
        return walk(dir.get(), name);
    }

    private Optional<String> resolveDirectory(String rel) {
        if (rel.isEmpty()) return Optional.of("");
        Optional<String> cached = resolvedDirectories.get(rel);
        if (cached != null) return cached;
        int slash = rel.lastIndexOf('/');
        Optional<String> parent = resolveDirectory(slash < 0 ? "" : rel.substring(0, slash));
        Optional<String> result = parent.flatMap(p -> walk(p, rel.substring(slash + 1))).map(Resolved::path);
        resolvedDirectories.put(rel, result);
        return result;
    }

    /** Walks {@code path} (relative, may contain links and ..) starting in the resolved directory {@code start}. */
    private Optional<Resolved> walk(String start, String path) {
        Deque<String> current = new ArrayDeque<>(split(start));
        Deque<String> pending = new ArrayDeque<>(split(path));
        int links = 0;
        BasicFileAttributes last = null;
        while (!pending.isEmpty()) {
            String part = pending.pollFirst();
            if (part.isEmpty() || part.equals(".")) continue;
            if (part.equals("..")) {
                if (!current.isEmpty()) current.pollLast();
                last = null; // a directory (or the root); read again below if it is the end of the path
                continue;
            }
            String candidate = join(current, part);
            Path p = root.resolve(candidate);
            BasicFileAttributes attrs;
            try {
                attrs = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException e) {
                return Optional.empty();
            }
            if (attrs.isSymbolicLink()) {
                if (++links > MAX_LINKS) return Optional.empty();
                String target;
                try {
                    target = Files.readSymbolicLink(p).toString();
                } catch (IOException e) {
                    return Optional.empty();
                }
                if (log != null) log.symlink(candidate, target);
                if (target.startsWith("/")) current.clear();
                List<String> targetParts = split(target);
                for (int i = targetParts.size() - 1; i >= 0; i--) pending.addFirst(targetParts.get(i));
                continue;
            }
            if (!pending.isEmpty() && !attrs.isDirectory()) return Optional.empty();
            current.addLast(part);
            last = attrs;
        }
        String real = String.join("/", current);
        if (last == null && !real.isEmpty()) {
            // ended on ".." or "." after a directory: the attributes of where we are
            try {
                last = Files.readAttributes(root.resolve(real), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException e) {
                return Optional.empty();
            }
        }
        return Optional.of(new Resolved(real, last));
    }

    /** The file's text (UTF-8, invalid bytes replaced), or empty when it does not exist. */
    public Optional<String> readText(String rel) {
        return readBytes(rel).map(b -> new String(b, StandardCharsets.UTF_8));
    }

    /** The file's bytes, or empty when it does not exist; {@link UnreadableFileException} when it cannot be read. */
    public Optional<byte[]> readBytes(String rel) {
        // Fast path, for the ~10,000 sysfs files of a large host: a plain file in an already resolved directory is
        // opened with O_NOFOLLOW (one open and its reads, instead of lstat + stat + open + fstat + reads). Anything
        // else — a link, a directory, a name with . or .., an error — takes the general path below, unchanged.
        String clean = trim(rel);
        int slash = clean.lastIndexOf('/');
        String name = clean.substring(slash + 1);
        if (!name.isEmpty() && !name.equals(".") && !name.equals("..")) {
            Optional<String> dir = resolveDirectory(slash < 0 ? "" : clean.substring(0, slash));
            if (dir.isEmpty()) return Optional.empty();
            String real = dir.get().isEmpty() ? name : dir.get() + "/" + name;
            byte[] bytes = null;
            try (SeekableByteChannel ch = Files.newByteChannel(root.resolve(real), READ_NO_FOLLOW_LINKS)) {
                bytes = readAll(ch);
            } catch (NoSuchFileException e) {
                return Optional.empty();
            } catch (IOException | RuntimeException e) {
                bytes = null; // a link (ELOOP), a directory (EISDIR), no permission...: the general path decides
            }
            if (bytes != null) {
                if (log != null) log.file(real, bytes);
                return Optional.of(bytes);
            }
        }
        Optional<Resolved> real = resolved(rel);
        if (real.isEmpty()) return Optional.empty();
        Path p = root.resolve(real.get().path());
        if (real.get().isDirectory()) {
            throw new UnreadableFileException(trim(rel), new IOException("is a directory, expected a file"));
        }
        try {
            byte[] bytes = Files.readAllBytes(p);
            if (log != null) log.file(real.get().path(), bytes);
            return Optional.of(bytes);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UnreadableFileException(trim(rel), e);
        }
    }

    /** Reads to the end without asking the size (sysfs files all claim 4096 bytes): no fstat. */
    private static byte[] readAll(SeekableByteChannel ch) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(4096);
        while (ch.read(buf) >= 0) {
            if (!buf.hasRemaining()) buf = ByteBuffer.allocate(buf.capacity() * 2).put(buf.flip());
        }
        return Arrays.copyOf(buf.array(), buf.position());
    }

    /** The target of the symbolic link {@code rel} as written, or empty when it is no link. */
    public Optional<String> readLink(String rel) {
        String clean = trim(rel);
        int slash = clean.lastIndexOf('/');
        Optional<String> dir = resolveDirectory(slash < 0 ? "" : clean.substring(0, slash));
        if (dir.isEmpty()) return Optional.empty();
        String candidate = dir.get().isEmpty() ? clean.substring(slash + 1) : dir.get() + "/" + clean.substring(slash + 1);
        Path p = root.resolve(candidate);
        try {
            String target = Files.readSymbolicLink(p).toString(); // one readlink; EINVAL (no link) is NotLinkException
            if (log != null) log.symlink(candidate, target);
            return Optional.of(target);
        } catch (NotLinkException | NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            if (!Files.isSymbolicLink(p)) return Optional.empty();
            throw new UnreadableFileException(clean, e);
        }
    }

    /** Names in the directory, sorted; empty when it does not exist. */
    public List<String> list(String rel) {
        Optional<String> real = resolve(rel);
        if (real.isEmpty()) return List.of();
        Path p = root.resolve(real.get());
        try (Stream<Path> s = Files.list(p)) {
            List<String> names = new ArrayList<>(s.map(x -> x.getFileName().toString()).sorted().toList());
            if (log != null) {
                log.directory(real.get());
                // a listed link is part of what was read even when it is never followed (the members of
                // sys/kernel/iommu_groups/N/devices, sys/class/iommu/dmar0): keep it, or a report loses it
                for (String name : names) {
                    Path entry = p.resolve(name);
                    if (Files.isSymbolicLink(entry)) log.symlink(real.get().isEmpty() ? name : real.get() + "/" + name,
                                Files.readSymbolicLink(entry).toString());
                }
            }
            return names;
        } catch (NoSuchFileException | NotDirectoryException e) {
            return List.of();
        } catch (IOException e) {
            throw new UnreadableFileException(trim(rel), e);
        }
    }

    /** Whether {@code rel} exists (after links); a report keeps it as an empty placeholder. */
    public boolean exists(String rel) {
        String clean = trim(rel);
        Optional<String> known = resolvedDirectories.get(clean);
        if (known != null && known.isPresent() && log == null) return true;
        Optional<Resolved> real = resolved(clean);
        if (real.isEmpty()) return false;
        // a directory found here (a device's sysfs directory, through its link) is kept like those resolved on the
        // way to a file, so reading its files next does not walk the link again
        if (real.get().isDirectory()) resolvedDirectories.putIfAbsent(clean, Optional.of(real.get().path()));
        if (log != null) {
            if (Files.isDirectory(root.resolve(real.get().path()))) log.directory(real.get().path());
            else log.exists(real.get().path());
        }
        return true;
    }

    public boolean isDirectory(String rel) {
        Optional<String> real = resolve(rel);
        boolean dir = real.map(r -> Files.isDirectory(root.resolve(r))).orElse(false);
        // the answer was read from the host: a report must keep the directory, even if nothing in it is read
        if (dir && log != null) log.directory(real.get());
        return dir;
    }

    private static String trim(String rel) {
        String s = rel;
        while (s.startsWith("/")) s = s.substring(1);
        while (s.endsWith("/")) s = s.substring(0, s.length() - 1);
        return s;
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
