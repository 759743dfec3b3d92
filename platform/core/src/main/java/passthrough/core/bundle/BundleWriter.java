package passthrough.core.bundle;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Makes a bundle from a directory holding {@code profiles/*.json} and optionally {@code plugins/*.jar}: the zip's
 * entries sorted by name with one fixed timestamp, so the same directory always gives the same bytes (a signed bundle
 * can be rebuilt and compared), the manifest, and with a key the signature over it.
 */
public final class BundleWriter {
    /** The DOS epoch: the earliest time a zip can hold, the same for everyone. */
    private static final LocalDateTime FIXED_TIME = LocalDateTime.of(1980, 1, 1, 0, 0);

    /** What was written. */
    public record Written(Path file, List<String> profiles, List<String> plugins, boolean signed) {
    }

    private BundleWriter() {
    }

    /**
     * @param dir the directory to bundle
     * @param out the bundle file to (over)write; written to a temporary file beside it first, so a failure leaves no
     *            half bundle
     * @param key the signer's private key, or null for an unsigned bundle
     */
    public static Written write(Path dir, Path out, PrivateKey key) throws IOException, BundleRefusedException {
        SortedMap<String, byte[]> entries = collect(dir);
        BundleManifest manifest = BundleManifest.of(entries);
        SortedMap<String, byte[]> all = new TreeMap<>(entries);
        all.put(BundleLayout.MANIFEST, manifest.bytes());
        if (key != null) all.put(BundleLayout.SIGNATURE, sign(key, manifest.bytes()));
        byte[] zip = zip(all);
        Path parent = out.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(parent, "." + out.getFileName(), ".tmp");
        try {
            Files.write(tmp, zip);
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        List<String> profiles = new ArrayList<>();
        List<String> plugins = new ArrayList<>();
        for (String name : entries.keySet()) {
            if (BundleLayout.kindOf(name) == BundleLayout.Kind.PROFILE) profiles.add(BundleLayout.profileId(name));
            else plugins.add(BundleLayout.pluginFile(name));
        }
        return new Written(out, profiles, plugins, key != null);
    }

    /** The signature file's content: the base64 Ed25519 signature of {@code manifest} and a newline. */
    static byte[] sign(PrivateKey key, byte[] manifest) throws BundleRefusedException {
        try {
            Signature signer = Signature.getInstance(SigningKeys.ALGORITHM);
            signer.initSign(key);
            signer.update(manifest);
            return (Base64.getEncoder().encodeToString(signer.sign()) + "\n").getBytes(StandardCharsets.US_ASCII);
        } catch (GeneralSecurityException e) {
            throw new BundleRefusedException("the signing key: cannot sign with it (" + e.getMessage()
                    + "); give an Ed25519 private key (`passthrough profiles keygen`)", e);
        }
    }

    /** Zips entries in the given (sorted) order with the fixed time. */
    static byte[] zip(SortedMap<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(buffer)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry entry = new ZipEntry(e.getKey());
                entry.setTimeLocal(FIXED_TIME);
                zip.putNextEntry(entry);
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return buffer.toByteArray();
    }

    /** Entry name to content for everything in {@code dir}; refuses what a bundle cannot hold. */
    private static SortedMap<String, byte[]> collect(Path dir) throws IOException, BundleRefusedException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw BundleRefusedException.about(dir.toString(), "is not a directory", "give the directory holding profiles/ (and plugins/)");
        }
        SortedMap<String, byte[]> entries = new TreeMap<>();
        for (Path top : list(dir)) {
            String name = top.getFileName().toString();
            if (!(name.equals("profiles") || name.equals("plugins")) || !isRealDirectory(top)) {
                throw BundleRefusedException.about(top.toString(), "does not belong in a bundle directory (" + BundleLayout.expectedEntries()
                        + ", and the manifest is made for you)", "move it out of " + dir);
            }
            String suffix = name.equals("profiles") ? ".json" : ".jar";
            for (Path file : list(top)) {
                String fileName = file.getFileName().toString();
                BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (attrs.isSymbolicLink()) {
                    throw BundleRefusedException.about(file.toString(), "is a symbolic link", "copy the file it points to in its place");
                }
                if (!attrs.isRegularFile() || !BundleLayout.isPlainFile(fileName, suffix)) {
                    throw BundleRefusedException.about(file.toString(), "is not a plain *" + suffix + " file (" + BundleLayout.expectedEntries() + ")",
                            "move it out of " + top);
                }
                if (attrs.size() > BundleLayout.MAX_ENTRY_BYTES) {
                    throw BundleRefusedException.about(file.toString(), "is larger than the " + BundleLayout.MAX_ENTRY_BYTES
                            + " bytes a bundle entry may hold", "leave it out");
                }
                entries.put(name + "/" + fileName, Files.readAllBytes(file));
            }
        }
        if (entries.keySet().stream().noneMatch(n -> n.startsWith(BundleLayout.PROFILES_DIR))) {
            throw BundleRefusedException.about(dir.resolve("profiles").toString(), "holds no profile (*.json)",
                    "a bundle carries at least one profile: put profiles/<id>.json in " + dir);
        }
        long total = entries.values().stream().mapToLong(b -> b.length).sum();
        if (total > BundleLayout.MAX_TOTAL_BYTES - 1024 * 1024) {
            throw BundleRefusedException.about(dir.toString(), "holds " + total + " bytes, more than a bundle may", "split it into several bundles");
        }
        return entries;
    }

    private static boolean isRealDirectory(Path p) {
        return Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
