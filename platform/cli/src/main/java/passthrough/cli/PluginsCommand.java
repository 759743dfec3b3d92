package passthrough.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** `passthrough plugins [list|install|remove]`: without a subcommand it lists, as it always did. */
@Command(name = "plugins", exitCodeListHeading = "%nExit status:%n", exitCodeList = {" 0:done", " 2:usage error", " 3:refused"},
        mixinStandardHelpOptions = true,
        description = {"List, install and remove plugins. Without a subcommand: `plugins list`.",
            "Third-party plugins are installed under <root>/var/lib/passthrough/plugins after an audit of their byte "
                + "code, and load only while the jar matches its audit record."},
        subcommands = {PluginsListCommand.class, PluginsInstallCommand.class, PluginsRemoveCommand.class})
final class PluginsCommand extends Subcommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return PluginsListCommand.list(global, out(), this::printJson);
    }
}
