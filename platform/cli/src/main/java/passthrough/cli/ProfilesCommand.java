package passthrough.cli;

import picocli.CommandLine.Command;

/** `passthrough profiles ...`: the distribution profiles (which plugins serve a distribution, and its settings). */
@Command(name = "profiles", mixinStandardHelpOptions = true,
        description = "Distribution profiles: which plugins serve each distribution, their settings, the packages and "
                + "host quirks it needs. Shipped ones come with passthrough; installed ones live in "
                + "/etc/passthrough/profiles (under --root).",
        subcommands = {ProfilesListCommand.class, ProfilesShowCommand.class, ProfilesRemoveCommand.class})
final class ProfilesCommand extends Subcommand implements Runnable {
    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
