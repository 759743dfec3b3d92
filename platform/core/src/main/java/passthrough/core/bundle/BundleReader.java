package passthrough.core.bundle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a bundle file that may come from anyone, into memory and nowhere else: an entry is accepted only with a plain
 * name in its place ({@code profiles/<id>.json}, {@code plugins/<name>.jar}, the manifest and its signature), as a
 * regular file, once, and within the size limits counted while inflating. Whether the content is genuine is
 * {@link BundleVerifier}'s job.
 */
public final class BundleReader {
    /** The file itself: every entry could be stored uncompressed, plus headers. */
    private static final long MAX_FILE_BYTES = BundleLayout.MAX_TOTAL_BYTES + 4L * 1024 * 1024;

    private BundleReader() {
    }

    public static BundleContents read(Path file) throws IOException, BundleRefusedException {
        String name = file.toString();
        if (!Files.isRegularFile(file)) {
            throw BundleRefusedException.about(name, "is not a regular file", "give the bundle file made by `passthrough profiles bundle`");
        }
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) {
            throw BundleRefusedException.about(name, "is " + size + " bytes, more than a profile bundle may be (" + MAX_FILE_BYTES + ")",
                    "give a profile bundle, not another archive");
        }
        return read(name, Files.readAllBytes(file));
    }

    /** Reads a bundle from its bytes; {@code name} names it in messages. */
    public static BundleContents read(String name, byte[] bytes) throws BundleRefusedException {
        SafeZipReader zip = new SafeZipReader(name, bytes);
        List<ZipEntryRecord> records = zip.entries();
        Set<String> seen = new HashSet<>();
        long declaredTotal = 0;
        for (ZipEntryRecord e : records) {
            String where = name + ": " + e.name();
            String unsafe = BundleLayout.unsafeNameReason(e.name());
            if (unsafe != null) {
                throw BundleRefusedException.about(where, unsafe, "the bundle is crafted to write outside its place; do not install it");
            }
            if (!seen.add(e.name())) {
                throw BundleRefusedException.about(where, "appears twice in the archive (tools disagree on which copy counts)",
                        "the bundle is corrupt or crafted; do not install it");
            }
            if (e.isSymbolicLink()) {
                throw BundleRefusedException.about(where, "is a symbolic link, and a bundle holds regular files only",
                        "the bundle is crafted to write through a link; do not install it");
            }
            if (e.isSpecialFile()) {
                throw BundleRefusedException.about(where, "is a device, fifo or socket, and a bundle holds regular files only",
                        "do not install it");
            }
            BundleLayout.Kind kind = BundleLayout.kindOf(e.name());
            if (e.isDirectory()) {
                if (kind == BundleLayout.Kind.TOP_DIRECTORY) continue; // harmless: zip tools add them
                throw BundleRefusedException.about(where, "is a directory other than profiles/ or plugins/: " + BundleLayout.expectedEntries(),
                        "make the bundle again with `passthrough profiles bundle`");
            }
            if (kind == BundleLayout.Kind.UNEXPECTED || kind == BundleLayout.Kind.TOP_DIRECTORY) {
                throw BundleRefusedException.about(where, "is in an unexpected place: " + BundleLayout.expectedEntries(),
                        "make the bundle again with `passthrough profiles bundle`");
            }
            if (e.declaredSize() > BundleLayout.MAX_ENTRY_BYTES) {
                throw BundleRefusedException.about(where, "declares " + e.declaredSize() + " bytes, more than the "
                        + BundleLayout.MAX_ENTRY_BYTES + " a bundle entry may hold", "this is not a profile bundle; do not install it");
            }
            declaredTotal += e.declaredSize();
            if (declaredTotal > BundleLayout.MAX_TOTAL_BYTES) {
                throw BundleRefusedException.about(where, "brings the bundle's declared size above " + BundleLayout.MAX_TOTAL_BYTES
                        + " bytes", "this is not a profile bundle; do not install it");
            }
        }
        Map<String, byte[]> entries = new LinkedHashMap<>();
        byte[] manifest = null;
        byte[] signature = null;
        long total = 0;
        for (ZipEntryRecord e : records) {
            if (e.isDirectory()) continue;
            // the header already passed the limits, but only the bytes counted while inflating are believed
            byte[] content = zip.read(e, Math.min(BundleLayout.MAX_ENTRY_BYTES, BundleLayout.MAX_TOTAL_BYTES - total));
            total += content.length;
            switch (BundleLayout.kindOf(e.name())) {
                case MANIFEST -> manifest = content;
                case SIGNATURE -> signature = content;
                default -> entries.put(e.name(), content);
            }
        }
        return new BundleContents(name, entries, manifest, signature);
    }
}
