package passthrough.core.bundle;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code MANIFEST.sha256}: one line {@code <sha256 hex>  <entry name>} for every entry but the manifest and its
 * signature, sorted by name, LF line ends and a final newline — the format of {@code sha256sum}, so
 * {@code sha256sum -c MANIFEST.sha256} checks an unpacked bundle. The signature covers these exact bytes, so there
 * is exactly one valid text for a set of entries and the parser accepts nothing else.
 */
public final class BundleManifest {
    private static final Pattern LINE = Pattern.compile("([0-9a-f]{64})  (\\S+)");

    private final SortedMap<String, String> digests;

    private BundleManifest(SortedMap<String, String> digests) {
        this.digests = digests;
    }

    /** The manifest of these entries (name to content). */
    public static BundleManifest of(Map<String, byte[]> entries) {
        SortedMap<String, String> digests = new TreeMap<>();
        entries.forEach((name, content) -> digests.put(name, sha256(content)));
        return new BundleManifest(digests);
    }

    /** Parses a manifest; {@code where} names it in messages. */
    static BundleManifest parse(String where, byte[] text) throws BundleRefusedException {
        String wayOut = "the bundle was changed after it was made or is not a profile bundle; get it again from its author";
        String s = new String(text, StandardCharsets.UTF_8);
        if (!s.isEmpty() && !s.endsWith("\n")) throw BundleRefusedException.about(where, "does not end with a newline", wayOut);
        SortedMap<String, String> digests = new TreeMap<>();
        String previous = null;
        int lineNumber = 0;
        String body = s.isEmpty() ? "" : s.substring(0, s.length() - 1);
        for (String line : body.isEmpty() ? new String[0] : body.split("\n", -1)) {
            lineNumber++;
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                throw BundleRefusedException.about(where, "line " + lineNumber + " is not '<sha256 hex>  <entry name>'", wayOut);
            }
            String name = m.group(2);
            if (previous != null && previous.compareTo(name) >= 0) {
                throw BundleRefusedException.about(where, "line " + lineNumber + " (" + name + ") is out of order or repeated", wayOut);
            }
            digests.put(name, m.group(1));
            previous = name;
        }
        return new BundleManifest(digests);
    }

    /** Entry name to SHA-256 hex, sorted by name. */
    public SortedMap<String, String> digests() {
        return java.util.Collections.unmodifiableSortedMap(digests);
    }

    /** The exact bytes of the file, which the signature covers. */
    public byte[] bytes() {
        StringBuilder b = new StringBuilder();
        digests.forEach((name, digest) -> b.append(digest).append("  ").append(name).append('\n'));
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
