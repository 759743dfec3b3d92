package passthrough.api;

import java.util.List;

/**
 * A command to run after the files are written, inside the host root (chroot when it is not /).
 *
 * <p>Most commands regenerate something from the plan's files (update-grub, update-initramfs, dracut), so a rollback
 * restores the files and runs the same command again. A command that changes state kept outside the plan's files
 * (grubby editing every BLS entry, rpm-ostree staging a deployment with new kernel arguments) cannot be undone that
 * way: it names its inverse in {@code undoArgv}, which a rollback runs instead, and it runs even when no file of the
 * plan changes.
 *
 * @param argv     the program and its arguments; never a shell string
 * @param undoArgv the command that undoes it on rollback; empty: it regenerates from the files, so rollback runs
 *                 {@code argv} again
 */
public record CommandChange(List<String> argv, String reason, List<String> undoArgv) implements Change {

    public CommandChange {
        argv = List.copyOf(argv);
        undoArgv = undoArgv == null ? List.of() : List.copyOf(undoArgv);
        if (argv.isEmpty()) throw new IllegalArgumentException("a command needs a program");
    }

    /** A command that regenerates from the files (rollback runs it again). */
    public CommandChange(List<String> argv, String reason) {
        this(argv, reason, List.of());
    }

    /** Whether it changes state outside the plan's files and has its own inverse. */
    public boolean hasUndo() {
        return !undoArgv.isEmpty();
    }
}
