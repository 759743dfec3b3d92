package passthrough.core.apply;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.FileVisitResult;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The transaction journal under {@code <root>/var/lib/passthrough/transactions/<txid>/}: {@code manifest.json}
 * and {@code backups/NNNN} (each file's bytes before it was touched).
 *
 * <p>The manifest is JSON, not a line format: paths and command output can hold any character, and JSON's
 * escaping already handles them; a person can still read it with {@code less}, and {@code jq} can query it.
 * It is written to a temporary file, fsynced and renamed, so a crash leaves the old or the new manifest, never
 * a torn one.
 */
final class Journal {
    static final String MANIFEST = "manifest.json";
    private static final DateTimeFormatter TXID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            // a newer passthrough may add fields; an older one must still be able to roll back
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private final Path base;

    /** @param base the resolved {@code var/lib/passthrough} directory (may not exist yet) */
    Journal(Path base) {
        this.base = base;
    }

    Path lockFile() {
        return base.resolve("lock");
    }

    Path transactions() {
        return base.resolve("transactions");
    }

    Path directory(String txid) {
        return transactions().resolve(txid);
    }

    /** UTC time to the millisecond then 6 random hex digits: sorts by time, unique across racing processes. */
    static String newTxid() {
        byte[] r = new byte[3];
        RANDOM.nextBytes(r);
        return TXID_TIME.format(ZonedDateTime.now(ZoneOffset.UTC)) + "-" + HexFormat.of().formatHex(r);
    }

    /** A file's bytes, never through a symbolic link: the journal of an unpacked root may carry planted ones. */
    private static byte[] read(Path p) throws IOException {
        try (java.nio.channels.SeekableByteChannel ch = Files.newByteChannel(p, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(8192);
            while (ch.read(buf) > 0) {
                out.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            return out.toByteArray();
        }
    }

    /**
     * The first symbolic link among the journal's own entries (its directory, the lock, transactions/, each
     * transaction's directory and files), or empty. Writing through one would write wherever it points — outside
     * the root, say a lock file linked to /etc/shadow — so the executor refuses to start when there is one.
     */
    Optional<Path> plantedLink() throws IOException {
        for (Path p : List.of(base, lockFile(), transactions())) {
            if (Files.isSymbolicLink(p)) return Optional.of(p);
        }
        if (!Files.isDirectory(transactions(), LinkOption.NOFOLLOW_LINKS)) return Optional.empty();
        // Runs before the lock, so another process's transaction may rename its manifest.json.tmp or remove a
        // directory while we look: an entry that vanished is no link (Files.walk threw UncheckedIOException there,
        // and a refused apply racing a running one ended in exit 4 instead of "another apply is running").
        Path[] found = new Path[1];
        Files.walkFileTree(transactions(), new SimpleFileVisitor<>() { // never follows links: a link, to a directory too, comes to visitFile
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isSymbolicLink()) {
                    found[0] = file;
                    return FileVisitResult.TERMINATE;
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) return FileVisitResult.CONTINUE;
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null && !(e instanceof NoSuchFileException)) throw e;
                return FileVisitResult.CONTINUE;
            }
        });
        return Optional.ofNullable(found[0]);
    }

    void create(String txid) throws IOException {
        FaultInjection.point("journal-create " + directory(txid));
        Files.createDirectories(directory(txid).resolve("backups"));
        AtomicFiles.fsyncDirectory(directory(txid));
        AtomicFiles.fsyncDirectory(transactions());
    }

    /** Copies a file's bytes before it is touched; returns the name the manifest records. */
    String writeBackup(String txid, int index, byte[] bytes) throws IOException {
        String name = String.format("backups/%04d", index);
        Path p = directory(txid).resolve(name);
        FaultInjection.point("backup-write " + p);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) ch.write(buf);
            ch.force(true);
        }
        // backups may hold secrets (a 0600 file); only root reads them
        Files.setAttribute(p, "unix:mode", 0600);
        AtomicFiles.fsyncDirectory(p.getParent());
        return name;
    }

    byte[] readBackup(String txid, String name) throws IOException {
        return read(directory(txid).resolve(name));
    }

    void save(JournalManifest m) throws IOException {
        Path dir = directory(m.txid());
        Path temp = dir.resolve(MANIFEST + ".tmp");
        byte[] bytes = JSON.writeValueAsBytes(m);
        String what = m.txid() + " " + Recovery.label(m.state());
        FaultInjection.point("journal-write " + what);
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) ch.write(buf);
            ch.force(true);
        }
        FaultInjection.point("journal-rename " + what);
        Files.move(temp, dir.resolve(MANIFEST), StandardCopyOption.ATOMIC_MOVE);
        FaultInjection.point("journal-renamed " + what);
        AtomicFiles.fsyncDirectory(dir);
    }

    /** The manifest, or empty when the transaction directory has none (a crash before it was first saved). */
    Optional<JournalManifest> load(String txid) throws IOException {
        try {
            return Optional.of(JSON.readValue(read(directory(txid).resolve(MANIFEST)), JournalManifest.class));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** Transaction ids, oldest first (the ids sort by time). */
    List<String> txids() throws IOException {
        if (!Files.isDirectory(transactions(), LinkOption.NOFOLLOW_LINKS)) return List.of();
        try (Stream<Path> s = Files.list(transactions())) {
            List<String> ids = new ArrayList<>(s.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
                    .map(p -> p.getFileName().toString()).toList());
            ids.sort(Comparator.naturalOrder());
            return ids;
        }
    }

    /** Whether a crash left a transaction behind; reads only, so a refused apply can check it and write nothing. */
    boolean hasUnfinished() throws IOException {
        for (String id : txids()) {
            Optional<JournalManifest> m = load(id);
            if (m.isEmpty() || m.get().state().unfinished()) return true;
        }
        return false;
    }

    /** Every transaction with its state and last update, in one string: equal marks mean nothing was journaled between. */
    String mark() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String id : txids()) {
            Optional<JournalManifest> m = load(id);
            sb.append(id).append(' ').append(m.map(x -> x.state() + " " + x.updatedAt()).orElse("no-manifest")).append('\n');
        }
        return sb.toString();
    }

    /** Removes a transaction directory that never got a manifest: no host file was touched before it had one. */
    void removeIncomplete(String txid) throws IOException {
        Path dir = directory(txid);
        FaultInjection.point("journal-remove-incomplete " + dir);
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
        AtomicFiles.fsyncDirectory(transactions());
    }
}
