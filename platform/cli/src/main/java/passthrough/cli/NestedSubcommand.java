package passthrough.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A subcommand of a subcommand (`profiles list`): the global options come from the top command two levels up, which
 * picocli's @ParentCommand (one level) cannot inject.
 */
@picocli.CommandLine.Command
abstract class NestedSubcommand {
    @Spec
    CommandSpec spec;

    PassthroughCommand global() {
        for (CommandSpec s = spec; s != null; s = s.parent()) {
            if (s.userObject() instanceof PassthroughCommand top) return top;
        }
        throw new IllegalStateException(spec.qualifiedName() + " is not below the passthrough command");
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** With --json: one document whose "command" is the full name below passthrough, e.g. "profiles list". */
    void printJson(Object body) {
        String name = spec.qualifiedName(" ");
        int space = name.indexOf(' ');
        JsonOutput.print(out(), space < 0 ? name : name.substring(space + 1), body);
    }
}
