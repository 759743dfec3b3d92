package passthrough.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** `passthrough profiles ...`: the group of profile commands; each subcommand is a {@link NestedSubcommand}. */
@Command(name = "profiles", exitCodeListHeading = "%nExit status:%n", exitCodeList = {" 0:done", " 2:usage error", " 3:refused"},
        mixinStandardHelpOptions = true,
        description = "Distribution profiles: which plugins serve each distribution, their settings, the packages and "
                + "host quirks it needs. Shipped ones come with passthrough; installed ones live in "
                + "/etc/passthrough/profiles (under --root), put there from signed bundles.",
        subcommands = {ProfilesListCommand.class, ProfilesShowCommand.class, ProfilesInstallCommand.class,
            ProfilesRemoveCommand.class, BundleCommand.class, KeygenCommand.class})
final class ProfilesCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
