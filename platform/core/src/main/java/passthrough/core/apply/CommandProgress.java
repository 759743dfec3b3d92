package passthrough.core.apply;

import java.time.Duration;
import java.util.List;

/**
 * What a caller hears while the executor runs a command (update-initramfs, dracut, update-grub, virsh): the core
 * never prints, so the CLI turns this into its progress line. Calls come from the executor's thread
 * ({@link #started}, {@link #finished}) and from the thread reading the command's output ({@link #line}); an
 * implementation must not throw and must not block for long, the command's output pipe waits on it.
 */
public interface CommandProgress {
    /** Hears nothing. */
    CommandProgress NONE = new CommandProgress() {
    };

    /** The command is about to start; {@code argv} as the plan names it (without the chroot around it). */
    default void started(List<String> argv) {
    }

    /** One line of the command's output (stdout and stderr together), as it comes. */
    default void line(String line) {
    }

    /** The command ended: how, and after how long. */
    default void finished(List<String> argv, CommandResult.Outcome outcome, Duration took) {
    }
}
