package passthrough.core.apply;

/**
 * Why an apply or rollback did not happen or did not finish. The message is one line naming the file or
 * command, the reason and the way out, so the CLI can print it as it is.
 */
public abstract class TransactionException extends Exception {
    private static final long serialVersionUID = 1L;

    TransactionException(String message) {
        super(message);
    }

    TransactionException(String message, Throwable cause) {
        super(message, cause);
    }
}
