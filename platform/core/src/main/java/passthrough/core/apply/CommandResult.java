package passthrough.core.apply;

import java.util.List;

/**
 * How one command ended.
 *
 * @param exitStatus null when it timed out or could not start
 * @param outputTail its last lines of stdout and stderr together, as the user would have seen them
 */
public record CommandResult(Outcome outcome, Integer exitStatus, List<String> outputTail) {

    public enum Outcome { OK, FAILED, TIMED_OUT, MISSING }

    public CommandResult {
        outputTail = List.copyOf(outputTail);
    }

    public boolean ok() {
        return outcome == Outcome.OK;
    }

    /** "exit status 3", "timed out after 1 s", "not found": for one-line messages. */
    String describe(long timeoutSeconds) {
        return switch (outcome) {
            case OK -> "succeeded";
            case FAILED -> "failed with exit status " + exitStatus;
            case TIMED_OUT -> "timed out after " + timeoutSeconds + " s and was killed";
            case MISSING -> "could not be run (not found or not executable" + (exitStatus == null ? "" : ", exit status " + exitStatus) + ")";
        };
    }

    String lastLine() {
        return outputTail.isEmpty() ? "(no output)" : outputTail.get(outputTail.size() - 1);
    }
}
