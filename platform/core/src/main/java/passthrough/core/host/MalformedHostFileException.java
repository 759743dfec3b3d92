package passthrough.core.host;

/**
 * A host file whose text is not in the kernel's format: the message names the file, the line and what was expected,
 * and says what to do (a host file that breaks the format is a bug report, or a root that was not made by the kernel).
 */
public final class MalformedHostFileException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String path;
    private final int line;

    /**
     * @param path   the file, as shown to the user (relative to the host root)
     * @param line   1-based line number; 0 when the problem is the file as a whole
     * @param reason what is wrong, and the way out
     */
    public MalformedHostFileException(String path, int line, String reason) {
        super(path + (line > 0 ? ", line " + line : "") + ": " + reason);
        this.path = path;
        this.line = line;
    }

    public String path() {
        return path;
    }

    /** 1-based line number; 0 for the file as a whole. */
    public int line() {
        return line;
    }
}
