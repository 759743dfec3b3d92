package passthrough.core.apply;

import java.time.Duration;
import java.util.Objects;

/**
 * How the executor runs commands.
 *
 * @param runCommands    false to write files only; commands are then journaled as skipped so the user
 *                       knows to run them
 * @param commandTimeout how long a command may run when it names no timeout of its own
 */
public record ApplyOptions(boolean runCommands, Duration commandTimeout) {
    /** update-initramfs on a slow disk takes minutes; ten is generous without hanging forever. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);

    public ApplyOptions {
        Objects.requireNonNull(commandTimeout, "commandTimeout");
        if (commandTimeout.isNegative() || commandTimeout.isZero()) {
            throw new IllegalArgumentException("command timeout must be positive: " + commandTimeout);
        }
    }

    public static ApplyOptions defaults() {
        return new ApplyOptions(true, DEFAULT_TIMEOUT);
    }

    public ApplyOptions withoutCommands() {
        return new ApplyOptions(false, commandTimeout);
    }

    Duration timeoutFor(CommandOperation command) {
        return command.timeout() != null ? command.timeout() : commandTimeout;
    }
}
