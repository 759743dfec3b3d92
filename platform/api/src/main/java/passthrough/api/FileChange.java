package passthrough.api;

import java.util.Objects;

/**
 * Replace a file's whole content (or create it, or delete it with {@code newContent == null}).
 *
 * @param path       relative to the host root, e.g. {@code etc/modprobe.d/passthrough-vfio.conf}
 * @param newContent the full new text, or null to delete the file
 * @param reason     why
 * @param executable the file must be executable (an initramfs hook; run-parts skips files that are not)
 */
public record FileChange(String path, String newContent, String reason, boolean executable) implements Change {

    public FileChange {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(reason, "reason");
        if (path.startsWith("/") || path.isEmpty()) {
            throw new IllegalArgumentException("file change path must be relative to the host root: '" + path + "'");
        }
    }

    /** A plain (not executable) configuration file. */
    public FileChange(String path, String newContent, String reason) {
        this(path, newContent, reason, false);
    }

    /** Delete {@code path}. */
    public static FileChange delete(String path, String reason) {
        return new FileChange(path, null, reason, false);
    }
}
