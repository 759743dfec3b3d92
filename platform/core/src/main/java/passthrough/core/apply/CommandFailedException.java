package passthrough.core.apply;

import java.util.List;

/**
 * A command of the plan failed, timed out or was missing; the files were already restored to their state
 * before the transaction (the message says so, or names what could not be restored).
 */
public final class CommandFailedException extends TransactionException {
    private static final long serialVersionUID = 1L;
    private final String txid;
    private final List<String> argv;
    private final CommandResult result;

    CommandFailedException(String message, String txid, List<String> argv, CommandResult result) {
        super(message);
        this.txid = txid;
        this.argv = List.copyOf(argv);
        this.result = result;
    }

    public String txid() {
        return txid;
    }

    public List<String> argv() {
        return argv;
    }

    /** Exit status, or null when it timed out or could not start. */
    public Integer exitStatus() {
        return result.exitStatus();
    }

    public CommandResult.Outcome outcome() {
        return result.outcome();
    }

    /** The last lines the command printed (stdout and stderr together). */
    public List<String> outputTail() {
        return result.outputTail();
    }
}
