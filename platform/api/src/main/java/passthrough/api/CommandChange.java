package passthrough.api;

import java.util.List;
import java.util.Objects;

/**
 * A command to run after the files are written, inside the host root (chroot when it is not /).
 *
 * @param argv   the program and its arguments; never a shell string
 * @param reason why it runs
 * @param undo   how a rollback undoes it: run again against the restored files (generators: update-grub, dracut),
 *               an inverse command (virsh define is undone by virsh undefine), or keep what it made
 */
public record CommandChange(List<String> argv, String reason, CommandUndo undo) implements Change {

    public CommandChange {
        argv = List.copyOf(argv);
        if (argv.isEmpty()) throw new IllegalArgumentException("a command needs a program");
        Objects.requireNonNull(undo, "undo");
    }

    /** A generator: rollback runs it again once the files it reads are restored. */
    public CommandChange(List<String> argv, String reason) {
        this(argv, reason, CommandUndo.rerun());
    }
}
