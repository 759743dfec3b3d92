package passthrough.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** What every subcommand shares: the global options (--root, --json, ...) and its own output stream. */
@picocli.CommandLine.Command
abstract class Subcommand {
    @ParentCommand
    PassthroughCommand global;

    @Spec
    CommandSpec spec;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** With --json: this command's one document on stdout (envelope + {@code body}'s fields, docs/json.md). */
    void printJson(Object body) {
        JsonOutput.print(out(), spec.name(), body);
    }
}
