package passthrough.core.apply;

import java.time.Duration;
import java.util.List;

/**
 * A command to run after every file is written, inside the host root.
 *
 * @param argv    the program and its arguments, never a shell string
 * @param timeout how long it may run, or null for {@link ApplyOptions#commandTimeout()}
 * @param undoArgv what a rollback runs instead of {@code argv} again; empty: the command regenerates from the files
 */
public record CommandOperation(List<String> argv, Duration timeout, List<String> undoArgv) {

    public CommandOperation(List<String> argv, Duration timeout) {
        this(argv, timeout, List.of());
    }

    public CommandOperation {
        argv = List.copyOf(argv);
        undoArgv = undoArgv == null ? List.of() : List.copyOf(undoArgv);
        if (argv.isEmpty() || argv.get(0).isEmpty()) throw new IllegalArgumentException("a command needs a program");
        if (!undoArgv.isEmpty() && undoArgv.get(0).isEmpty()) throw new IllegalArgumentException("an undo command needs a program");
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("command timeout must be positive: " + timeout);
        }
    }

    public static CommandOperation of(String... argv) {
        return new CommandOperation(List.of(argv), null);
    }

    /** The command as a user would type it, for messages. */
    public String display() {
        return String.join(" ", argv);
    }
}
