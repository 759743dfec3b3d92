package passthrough.core.bundle;

/**
 * A bundle, key or bundle directory was refused: malformed, tampered with, unsigned, signed by no trusted key, or in
 * conflict with what the host has. Nothing was written. The message is one line: what, why, and the way out.
 */
public final class BundleRefusedException extends Exception {
    private static final long serialVersionUID = 1L;

    public BundleRefusedException(String message) {
        super(message);
    }

    public BundleRefusedException(String message, Throwable cause) {
        super(message, cause);
    }

    /** "{@code subject}: {@code reason}; {@code wayOut}" — the shape of every refusal. */
    static BundleRefusedException about(String subject, String reason, String wayOut) {
        return new BundleRefusedException(subject + ": " + reason + "; " + wayOut);
    }
}
