package passthrough.api;

import java.util.List;
import java.util.Objects;

/**
 * How a rollback undoes a {@link CommandChange}. A generator (update-grub, dracut) is undone by running it again once
 * its source files are restored; a command that changes state of its own ({@code virsh define}) has an inverse
 * ({@code virsh undefine}); a command whose result may by then hold the user's data (a new disk image) is kept.
 */
public sealed interface CommandUndo {

    /** Run the same command again after the files are restored: it regenerates from them. */
    record Rerun() implements CommandUndo {
    }

    /**
     * Run {@code argv} instead, once the files are restored, and only when the command had succeeded (a failed
     * {@code virsh define} defined nothing to undefine).
     */
    record Run(List<String> argv) implements CommandUndo {
        public Run {
            argv = List.copyOf(argv);
            if (argv.isEmpty() || argv.get(0).isEmpty()) throw new IllegalArgumentException("an undo command needs a program");
        }
    }

    /** Leave what the command made; {@code why} is shown by rollback (e.g. "the disk may hold the guest's data"). */
    record Keep(String why) implements CommandUndo {
        public Keep {
            Objects.requireNonNull(why, "why");
        }
    }

    static CommandUndo rerun() {
        return new Rerun();
    }

    static CommandUndo run(String... argv) {
        return new Run(List.of(argv));
    }

    static CommandUndo keep(String why) {
        return new Keep(why);
    }
}
