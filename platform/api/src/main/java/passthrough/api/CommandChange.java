package passthrough.api;

import java.util.List;

/**
 * A command to run after the files are written, inside the host root (chroot when it is not /).
 *
 * @param argv the program and its arguments; never a shell string
 */
public record CommandChange(List<String> argv, String reason) implements Change {

    public CommandChange {
        argv = List.copyOf(argv);
        if (argv.isEmpty()) throw new IllegalArgumentException("a command needs a program");
    }
}
