package passthrough.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** What `plugins list|install|remove` share: the global options through `plugins`, and the output. */
@picocli.CommandLine.Command
abstract class PluginsSubcommand {
    @ParentCommand
    PluginsCommand plugins;

    @Spec
    CommandSpec spec;

    PassthroughCommand global() {
        return plugins.global;
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** One document per command; "command" is "plugins", as in the error documents (JsonOutput.commandName). */
    void printJson(Object body) {
        JsonOutput.print(out(), "plugins", body);
    }
}
