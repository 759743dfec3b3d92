package passthrough.cli;

/**
 * A problem the user can fix, reported as one line (no stack trace unless -v) with a meaningful exit code. With
 * `--json` it also becomes the error document on stdout: {@link #code()} names it for scripts, and
 * {@link #partialResult()} is what the command had done before it failed (e.g. a rollback's restored files).
 */
public final class UserError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;
    private final String code;
    private final transient Object partialResult;

    public UserError(int exitCode, String code, String message, Throwable cause, Object partialResult) {
        super(message, cause);
        this.exitCode = exitCode;
        this.code = code;
        this.partialResult = partialResult;
    }

    public UserError(int exitCode, String message, Throwable cause) {
        this(exitCode, null, message, cause, null);
    }

    public UserError(int exitCode, String message) {
        this(exitCode, message, null);
    }

    public int exitCode() {
        return exitCode;
    }

    /** A stable code for scripts (e.g. the planner's BOOT_GPU), or one derived from the exit code. */
    public String code() {
        return code != null ? code : JsonOutput.codeFor(exitCode);
    }

    /** The fields of the `--json` document the command had before it failed, or null. */
    Object partialResult() {
        return partialResult;
    }
}
