package passthrough.core.host;

import java.io.IOException;
import java.io.UncheckedIOException;

/** A file under the host root exists but cannot be read (permissions, I/O error, a link loop). */
public final class UnreadableFileException extends UncheckedIOException {
    private static final long serialVersionUID = 1L;
    private final String relativePath;

    public UnreadableFileException(String relativePath, IOException cause) {
        super(relativePath + ": " + describe(cause), cause);
        this.relativePath = relativePath;
    }

    public String relativePath() {
        return relativePath;
    }

    private static String describe(IOException e) {
        if (e instanceof java.nio.file.AccessDeniedException) return "permission denied";
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }
}
