package passthrough.core.apply;

import java.time.Duration;
import java.util.List;

/**
 * A command to run after every file is written, inside the host root.
 *
 * @param argv    the program and its arguments, never a shell string
 * @param timeout how long it may run, or null for {@link ApplyOptions#commandTimeout()}
 * @param undo    how a rollback undoes it (null: run it again against the restored files)
 */
public record CommandOperation(List<String> argv, Duration timeout, UndoStep undo) {

    public CommandOperation {
        argv = List.copyOf(argv);
        if (argv.isEmpty() || argv.get(0).isEmpty()) throw new IllegalArgumentException("a command needs a program");
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("command timeout must be positive: " + timeout);
        }
        undo = undo == null ? UndoStep.rerun() : undo;
    }

    /** A generator: rollback runs it again. */
    public CommandOperation(List<String> argv, Duration timeout) {
        this(argv, timeout, UndoStep.rerun());
    }

    public static CommandOperation of(String... argv) {
        return new CommandOperation(List.of(argv), null);
    }

    /** The command as a user would type it, for messages. */
    public String display() {
        return String.join(" ", argv);
    }
}
