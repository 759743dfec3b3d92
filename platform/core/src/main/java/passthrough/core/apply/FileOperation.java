package passthrough.core.apply;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One file the executor is asked to change: its path relative to the host root, the digest the plan saw
 * (so a file edited since planning is never overwritten blindly), and the new bytes or null to delete it.
 *
 * @param path           relative to the host root, e.g. {@code etc/default/grub}
 * @param expectedDigest SHA-256 hex of the bytes the plan was made from, or {@link #ABSENT}
 * @param newContent     the whole new content, or null to delete the file
 * @param executable     the file must be executable: created 0755, or an existing file's mode plus the execute bits
 *                       where it has read bits
 */
public record FileOperation(String path, String expectedDigest, byte[] newContent, boolean executable) {
    /** The expected digest of a file the plan saw missing. */
    public static final String ABSENT = "absent";
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    public FileOperation {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(expectedDigest, "expectedDigest");
        expectedDigest = expectedDigest.toLowerCase(Locale.ROOT);
        if (!expectedDigest.equals(ABSENT) && !SHA256_HEX.matcher(expectedDigest).matches()) {
            throw new IllegalArgumentException(path + ": expected digest must be 64 hex digits (SHA-256) or 'absent', got '"
                    + expectedDigest + "'");
        }
        // copied so a caller cannot change what was validated and journaled
        newContent = newContent == null ? null : newContent.clone();
    }

    public FileOperation(String path, String expectedDigest, byte[] newContent) {
        this(path, expectedDigest, newContent, false);
    }

    /** Write (create or replace) {@code path} with {@code content}. */
    public static FileOperation write(String path, String expectedDigest, byte[] content) {
        return new FileOperation(path, expectedDigest, Objects.requireNonNull(content, "content"));
    }

    /** Delete {@code path}. */
    public static FileOperation delete(String path, String expectedDigest) {
        return new FileOperation(path, expectedDigest, null);
    }

    public boolean deletes() {
        return newContent == null;
    }

    @Override
    public byte[] newContent() {
        return newContent == null ? null : newContent.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FileOperation f && path.equals(f.path) && expectedDigest.equals(f.expectedDigest)
                && Arrays.equals(newContent, f.newContent) && executable == f.executable;
    }

    @Override
    public int hashCode() {
        return Objects.hash(path, expectedDigest, Arrays.hashCode(newContent), executable);
    }

    @Override
    public String toString() {
        return "FileOperation[" + path + ", expected " + expectedDigest + ", "
                + (newContent == null ? "delete" : newContent.length + " bytes" + (executable ? ", executable" : "")) + "]";
    }
}
