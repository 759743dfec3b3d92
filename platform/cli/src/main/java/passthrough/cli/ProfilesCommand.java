package passthrough.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** `passthrough profiles ...`: the group of profile commands; each subcommand is a {@link ProfilesSubcommand}. */
@Command(name = "profiles", mixinStandardHelpOptions = true,
        description = "Make, sign and install profile bundles.",
        subcommands = {BundleCommand.class, ProfilesInstallCommand.class, KeygenCommand.class})
final class ProfilesCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
