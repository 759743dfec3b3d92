package passthrough.core.report;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

/**
 * Writes a gzip-compressed POSIX tar (ustar, with pax headers for long names) holding directories, files and
 * symbolic links — the three things a host report needs. Hand-written because it is ~100 lines and the JDK has
 * no tar; the output is checked against GNU tar in the tests.
 */
final class TarGzWriter implements Closeable {
    private static final int BLOCK = 512;
    private final OutputStream out;
    private final long mtime;

    TarGzWriter(OutputStream target, long mtimeSeconds) throws IOException {
        this.out = new GZIPOutputStream(target, 65536);
        this.mtime = mtimeSeconds;
    }

    void directory(String path) throws IOException {
        entry(path.endsWith("/") ? path : path + "/", '5', 0755, 0, "");
    }

    void file(String path, byte[] content) throws IOException {
        entry(path, '0', 0644, content.length, "");
        out.write(content);
        pad(content.length);
    }

    void symlink(String path, String target) throws IOException {
        entry(path, '2', 0777, 0, target);
    }

    private void entry(String name, char type, int mode, long size, String linkName) throws IOException {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        byte[] linkBytes = linkName.getBytes(StandardCharsets.UTF_8);
        String[] split = splitName(name);
        boolean needsPax = split == null || linkBytes.length > 100 || !isAscii(nameBytes) || !isAscii(linkBytes);
        if (needsPax) {
            StringBuilder pax = new StringBuilder(record("path", name));
            if (!linkName.isEmpty()) pax.append(record("linkpath", linkName));
            byte[] paxBytes = pax.toString().getBytes(StandardCharsets.UTF_8);
            out.write(header(new String[] {"", "PaxHeaders/entry"}, 'x', 0644, paxBytes.length, ""));
            out.write(paxBytes);
            pad(paxBytes.length);
            String shortName = "long/" + Integer.toHexString(name.hashCode());
            split = new String[] {"", shortName + (type == '5' ? "/" : "")};
            linkName = linkBytes.length > 100 || !isAscii(linkBytes) ? "long-link" : linkName;
        }
        out.write(header(split, type, mode, size, linkName));
    }

    /** A pax record "LEN key=value\n" where LEN counts the whole record including its own digits. */
    private static String record(String key, String value) {
        int body = key.length() + value.getBytes(StandardCharsets.UTF_8).length + 3; // ' ', '=', '\n'
        int len = body + String.valueOf(body).length();
        if (String.valueOf(len).length() != String.valueOf(body).length()) len++;
        return len + " " + key + "=" + value + "\n";
    }

    /** ustar splits a long name into prefix (155) and name (100) at a '/'; null when impossible. */
    private static String[] splitName(String name) {
        if (name.getBytes(StandardCharsets.UTF_8).length <= 100) return new String[] {"", name};
        for (int i = name.length() - 1; i > 0; i--) {
            if (name.charAt(i) == '/' && i <= 155 && name.length() - i - 1 <= 100 && name.length() - i - 1 > 0) {
                return new String[] {name.substring(0, i), name.substring(i + 1)};
            }
        }
        return null;
    }

    private byte[] header(String[] name, char type, int mode, long size, String linkName) {
        byte[] h = new byte[BLOCK];
        put(h, 0, 100, name[1]);
        octal(h, 100, 8, mode);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        octal(h, 124, 12, size);
        octal(h, 136, 12, mtime);
        for (int i = 148; i < 156; i++) h[i] = ' ';
        h[156] = (byte) type;
        put(h, 157, 100, linkName);
        put(h, 257, 6, "ustar");
        h[263] = '0';
        h[264] = '0';
        put(h, 265, 32, "root");
        put(h, 297, 32, "root");
        put(h, 345, 155, name[0]);
        long sum = 0;
        for (byte b : h) sum += b & 0xff;
        octal(h, 148, 7, sum);
        h[155] = ' ';
        return h;
    }

    private static void put(byte[] h, int off, int len, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(b, 0, h, off, Math.min(len, b.length));
    }

    private static void octal(byte[] h, int off, int len, long v) {
        String s = Long.toOctalString(v);
        StringBuilder sb = new StringBuilder();
        for (int i = s.length(); i < len - 1; i++) sb.append('0');
        sb.append(s);
        put(h, off, len - 1, sb.toString());
    }

    private static boolean isAscii(byte[] b) {
        for (byte x : b) if (x < 0x20 || x > 0x7e) return false;
        return true;
    }

    private void pad(long size) throws IOException {
        long rest = size % BLOCK;
        if (rest != 0) out.write(new byte[(int) (BLOCK - rest)]);
    }

    @Override
    public void close() throws IOException {
        out.write(new byte[BLOCK * 2]);
        out.close();
    }
}
