package passthrough.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What every nested subcommand (`passthrough profiles X`, `passthrough plugins X`) shares. {@link Subcommand}'s {@code @ParentCommand} would be the profiles group
 * here, so the global options (--root, --json, inherited by every level) are taken from the top command instead.
 */
@picocli.CommandLine.Command
abstract class NestedSubcommand {
    @Spec
    CommandSpec spec;

    /** The top command, holding the global options; set by picocli before the command runs. */
    PassthroughCommand global() {
        return (PassthroughCommand) spec.root().userObject();
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** With --json: this command's one document, named "profiles X" as its error document is. */
    void printJson(Object body) {
        JsonOutput.print(out(), JsonOutput.commandName(spec.commandLine()), body);
    }
}
