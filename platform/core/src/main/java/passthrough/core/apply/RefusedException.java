package passthrough.core.apply;

/**
 * The executor refused before changing any file: an unsafe path, a stale plan, another run holding the
 * lock, a rollback over files changed since. Nothing on the host was written.
 */
public final class RefusedException extends TransactionException {
    private static final long serialVersionUID = 1L;

    RefusedException(String message) {
        super(message);
    }

    /** "{@code path}: {@code reason}; {@code wayOut}" — the shape every refusal about a file has. */
    static RefusedException about(String path, String reason, String wayOut) {
        return new RefusedException(path + ": " + reason + "; " + wayOut);
    }
}
