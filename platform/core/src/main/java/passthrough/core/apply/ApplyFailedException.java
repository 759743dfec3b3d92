package passthrough.core.apply;

/**
 * Writing a file failed part-way (disk full, read-only file system, ...); the files already written were
 * rolled back, and the message says whether that fully succeeded.
 */
public final class ApplyFailedException extends TransactionException {
    private static final long serialVersionUID = 1L;

    ApplyFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
