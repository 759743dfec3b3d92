package passthrough.core.bundle;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Reads a zip archive that may be hostile, from its bytes: the central directory is parsed here (java.util.zip hides
 * the external attributes that mark a symbolic link), every offset is checked against the file, and every entry is
 * inflated with the bytes counted as they come, stopping at the limit — the sizes in the headers are never trusted.
 * Zip64, multi-disk and encrypted archives are refused: a bundle never needs them.
 */
final class SafeZipReader {
    private static final int EOCD_SIGNATURE = 0x06054b50;
    private static final int CENTRAL_SIGNATURE = 0x02014b50;
    private static final int LOCAL_SIGNATURE = 0x04034b50;
    private static final int EOCD_SIZE = 22;
    private static final int UNIX_HOST = 3;
    private static final int STORED = 0;
    private static final int DEFLATED = 8;

    private final String archive;
    private final byte[] bytes;

    /** @param archive the file's name, for messages */
    SafeZipReader(String archive, byte[] bytes) {
        this.archive = archive;
        this.bytes = bytes;
    }

    /** The central directory's entries, in their order; refused when the file is no zip this reader accepts. */
    List<ZipEntryRecord> entries() throws BundleRefusedException {
        int eocd = findEndOfCentralDirectory();
        if (eocd < 0) {
            throw BundleRefusedException.about(archive, "is not a zip archive (no end of central directory record)",
                    "give a bundle made by `passthrough profiles bundle`");
        }
        int disk = u16(eocd + 4);
        int cdDisk = u16(eocd + 6);
        int count = u16(eocd + 10);
        long cdSize = u32(eocd + 12);
        long cdOffset = u32(eocd + 16);
        if (count == 0xFFFF || cdOffset == 0xFFFFFFFFL || cdSize == 0xFFFFFFFFL) {
            throw malformed("is a zip64 archive, which a profile bundle never needs");
        }
        if (disk != 0 || cdDisk != 0 || u16(eocd + 8) != count) throw malformed("is a multi-part zip archive");
        if (count > BundleLayout.MAX_ENTRIES) {
            throw malformed("declares " + count + " entries, more than the " + BundleLayout.MAX_ENTRIES + " a bundle may hold");
        }
        if (cdOffset + cdSize > eocd) throw malformed("its central directory lies outside the file");
        List<ZipEntryRecord> out = new ArrayList<>(count);
        int p = (int) cdOffset;
        for (int i = 0; i < count; i++) {
            if (p + 46 > eocd || u32(p) != CENTRAL_SIGNATURE) throw malformed("its central directory is damaged at entry " + (i + 1));
            int madeBy = u16(p + 4) >> 8;
            int flags = u16(p + 8);
            int method = u16(p + 10);
            long crc = u32(p + 16);
            long compressed = u32(p + 20);
            long size = u32(p + 24);
            int nameLength = u16(p + 28);
            int extraLength = u16(p + 30);
            int commentLength = u16(p + 32);
            long external = u32(p + 38);
            long localOffset = u32(p + 42);
            if (p + 46L + nameLength + extraLength + commentLength > eocd) throw malformed("its central directory is damaged at entry " + (i + 1));
            String name = new String(bytes, p + 46, nameLength, StandardCharsets.UTF_8);
            int unixMode = madeBy == UNIX_HOST ? (int) (external >>> 16) : -1;
            boolean dosDirectory = (external & 0x10) != 0;
            out.add(new ZipEntryRecord(name, flags, method, crc, compressed, size, unixMode == 0 ? -1 : unixMode,
                    dosDirectory, localOffset));
            p += 46 + nameLength + extraLength + commentLength;
        }
        return out;
    }

    /**
     * The entry's bytes, inflated with a running count that stops at {@code limit} (the per-entry cap, or what is left
     * of the total) and at the declared size: a zip bomb is stopped after at most {@code limit} bytes, whatever its
     * header says.
     */
    byte[] read(ZipEntryRecord e, long limit) throws BundleRefusedException {
        String where = archive + ": " + e.name();
        if (e.isEncrypted()) throw BundleRefusedException.about(where, "is encrypted", "bundles are never encrypted; make it again");
        if (e.method() != STORED && e.method() != DEFLATED) {
            throw BundleRefusedException.about(where, "uses compression method " + e.method() + " (only stored and deflated are read)",
                    "make the bundle again with `passthrough profiles bundle`");
        }
        long local = e.localHeaderOffset();
        if (local + 30 > bytes.length || u32((int) local) != LOCAL_SIGNATURE) {
            throw BundleRefusedException.about(where, "its local header is missing or damaged", "the file is corrupt; get it again");
        }
        int nameLength = u16((int) local + 26);
        int extraLength = u16((int) local + 28);
        String localName = local + 30 + nameLength <= bytes.length
                ? new String(bytes, (int) local + 30, nameLength, StandardCharsets.UTF_8) : "";
        if (!localName.equals(e.name())) {
            // two names for one entry: tools disagree on which one counts, so neither is trusted
            throw BundleRefusedException.about(where, "its local header names it '" + localName + "'", "the file is corrupt or crafted; do not use it");
        }
        long start = local + 30 + nameLength + extraLength;
        if (start + e.compressedSize() > bytes.length) {
            throw BundleRefusedException.about(where, "its data runs past the end of the file", "the file is truncated; get it again");
        }
        byte[] content = e.method() == STORED ? stored(e, (int) start, limit, where) : inflate(e, (int) start, limit, where);
        if (content.length != e.declaredSize()) {
            throw BundleRefusedException.about(where, "holds " + content.length + " bytes but its header says " + e.declaredSize(),
                    "the file is corrupt or crafted; do not use it");
        }
        CRC32 crc = new CRC32();
        crc.update(content);
        if (crc.getValue() != e.crc()) throw BundleRefusedException.about(where, "fails its CRC-32 check", "the file is corrupt; get it again");
        return content;
    }

    private byte[] stored(ZipEntryRecord e, int start, long limit, String where) throws BundleRefusedException {
        if (e.compressedSize() > limit) throw tooLarge(where, limit);
        byte[] out = new byte[(int) e.compressedSize()];
        System.arraycopy(bytes, start, out, 0, out.length);
        return out;
    }

    private byte[] inflate(ZipEntryRecord e, int start, long limit, String where) throws BundleRefusedException {
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(bytes, start, (int) e.compressedSize());
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Math.min(e.declaredSize(), limit), 1 << 20));
            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            while (!inflater.finished()) {
                int n = inflater.inflate(buffer);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw BundleRefusedException.about(where, "its compressed data ends early", "the file is corrupt; get it again");
                }
                total += n;
                if (total > limit) throw tooLarge(where, limit);
                if (total > e.declaredSize()) {
                    throw BundleRefusedException.about(where, "inflates to more than the " + e.declaredSize() + " bytes its header declares",
                            "the file is corrupt or crafted (a zip bomb); do not use it");
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } catch (DataFormatException ex) {
            throw BundleRefusedException.about(where, "its compressed data is invalid (" + ex.getMessage() + ")", "the file is corrupt; get it again");
        } finally {
            inflater.end();
        }
    }

    private static BundleRefusedException tooLarge(String where, long limit) {
        return BundleRefusedException.about(where, "inflates to more than " + limit + " bytes, the most a bundle entry (or all of "
                + "them together) may hold", "the file is crafted (a zip bomb) or not a profile bundle; do not use it");
    }

    private BundleRefusedException malformed(String reason) {
        return BundleRefusedException.about(archive, reason, "give a bundle made by `passthrough profiles bundle`");
    }

    /** The end of central directory record, searched backwards past a comment of up to 64 KiB; -1 when absent. */
    private int findEndOfCentralDirectory() {
        int lowest = Math.max(0, bytes.length - EOCD_SIZE - 0xFFFF);
        for (int p = bytes.length - EOCD_SIZE; p >= lowest; p--) {
            if (u32(p) == EOCD_SIGNATURE && p + EOCD_SIZE + u16(p + 20) == bytes.length) return p;
        }
        return -1;
    }

    private int u16(int p) {
        return (bytes[p] & 0xFF) | (bytes[p + 1] & 0xFF) << 8;
    }

    private long u32(int p) {
        return ((long) u16(p)) | ((long) u16(p + 2)) << 16;
    }
}
