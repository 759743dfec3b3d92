package passthrough.api;

import java.util.Objects;

/**
 * Replace a file's whole content (or create it, or delete it with {@code newContent == null}).
 *
 * @param path       relative to the host root, e.g. {@code etc/modprobe.d/passthrough-vfio.conf}
 * @param newContent the full new text, or null to delete the file
 * @param reason     why
 */
public record FileChange(String path, String newContent, String reason) implements Change {

    public FileChange {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(reason, "reason");
        if (path.startsWith("/") || path.isEmpty()) {
            throw new IllegalArgumentException("file change path must be relative to the host root: '" + path + "'");
        }
    }
}
