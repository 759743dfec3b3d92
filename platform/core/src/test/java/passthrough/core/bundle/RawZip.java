package passthrough.core.bundle;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Writes zip archives byte by byte, including what java.util.zip refuses to write or cannot express: duplicate names,
 * hostile names, Unix link entries, and headers that lie about the size. Only for crafting hostile test bundles.
 */
final class RawZip {
    private record Entry(String name, byte[] content, boolean deflate, Long declaredSize, int unixMode) {
    }

    private final List<Entry> entries = new ArrayList<>();

    RawZip add(String name, byte[] content) {
        entries.add(new Entry(name, content, true, null, 0));
        return this;
    }

    RawZip add(String name, String content) {
        return add(name, content.getBytes(StandardCharsets.UTF_8));
    }

    /** An entry whose central and local headers declare {@code declaredSize} instead of the real size. */
    RawZip addLyingSize(String name, byte[] content, long declaredSize) {
        entries.add(new Entry(name, content, true, declaredSize, 0));
        return this;
    }

    /** An entry made by a Unix zipper with this st_mode (e.g. 0120777 for a link). */
    RawZip addWithMode(String name, byte[] content, int unixMode) {
        entries.add(new Entry(name, content, false, null, unixMode));
        return this;
    }

    byte[] bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream central = new ByteArrayOutputStream();
        for (Entry e : entries) {
            byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
            byte[] data = e.deflate() ? deflate(e.content()) : e.content();
            CRC32 crc = new CRC32();
            crc.update(e.content());
            long size = e.declaredSize() != null ? e.declaredSize() : e.content().length;
            int offset = out.size();
            int method = e.deflate() ? 8 : 0;
            u32(out, 0x04034b50);
            u16(out, 20);
            u16(out, 0x800);
            u16(out, method);
            u16(out, 0);
            u16(out, 0x21);
            u32(out, crc.getValue());
            u32(out, data.length);
            u32(out, size);
            u16(out, name.length);
            u16(out, 0);
            out.writeBytes(name);
            out.writeBytes(data);

            u32(central, 0x02014b50);
            u16(central, e.unixMode() != 0 ? (3 << 8) | 20 : 20);
            u16(central, 20);
            u16(central, 0x800);
            u16(central, method);
            u16(central, 0);
            u16(central, 0x21);
            u32(central, crc.getValue());
            u32(central, data.length);
            u32(central, size);
            u16(central, name.length);
            u16(central, 0);
            u16(central, 0);
            u16(central, 0);
            u16(central, 0);
            u32(central, ((long) e.unixMode()) << 16);
            u32(central, offset);
            central.writeBytes(name);
        }
        int cdOffset = out.size();
        out.writeBytes(central.toByteArray());
        u32(out, 0x06054b50);
        u16(out, 0);
        u16(out, 0);
        u16(out, entries.size());
        u16(out, entries.size());
        u32(out, central.size());
        u32(out, cdOffset);
        u16(out, 0);
        return out.toByteArray();
    }

    private static byte[] deflate(byte[] content) {
        Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
        d.setInput(content);
        d.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[64 * 1024];
        while (!d.finished()) out.write(buf, 0, d.deflate(buf));
        d.end();
        return out.toByteArray();
    }

    private static void u16(ByteArrayOutputStream out, int v) {
        out.write(v & 0xFF);
        out.write((v >>> 8) & 0xFF);
    }

    private static void u32(ByteArrayOutputStream out, long v) {
        u16(out, (int) (v & 0xFFFF));
        u16(out, (int) ((v >>> 16) & 0xFFFF));
    }
}
