package passthrough.cli;

import java.time.Duration;
import passthrough.core.apply.ApplyOptions;
import picocli.CommandLine.Option;

/** How the commands of a transaction (update-grub, update-initramfs) run: the mixin `apply` and `rollback` share. */
final class CommandRunOptions {
    @Option(names = "--no-commands", description = "Change the files but only list the commands (update-grub, ...) "
            + "instead of running them, e.g. for a --root that cannot be chrooted into.")
    boolean noCommands;

    @Option(names = "--command-timeout", paramLabel = "SECONDS", defaultValue = "600",
            description = "How long each command may run before it is killed (default: ${DEFAULT-VALUE}); apply then "
                    + "restores every file.")
    long commandTimeout;

    ApplyOptions toApplyOptions() {
        if (commandTimeout <= 0) {
            throw new UserError(ExitCodes.USAGE, "--command-timeout " + commandTimeout + ": give a number of seconds above 0");
        }
        ApplyOptions options = new ApplyOptions(true, Duration.ofSeconds(commandTimeout));
        return noCommands ? options.withoutCommands() : options;
    }
}
