package passthrough.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** `passthrough vm ...`: the VM that owns the reserved GPU; each subcommand is a {@link NestedSubcommand}. */
@Command(name = "vm", exitCodeListHeading = "%nExit status:%n", exitCodeList = {" 0:done", " 1:not confirmed, or a command failed", " 2:usage error", " 3:refused"},
        mixinStandardHelpOptions = true,
        description = "The VM that owns the GPU: create (a libvirt domain or a QEMU launch script with every function of "
                + "the group in one guest slot and the guest quirks), list, remove. Definitions live in /etc/passthrough/vms.",
        subcommands = {VmCreateCommand.class, VmListCommand.class, VmRemoveCommand.class})
final class VmCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
