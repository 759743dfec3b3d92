package passthrough.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;

/**
 * A mistyped command line: say what is wrong and where help is, exit 2 (not the whole usage text); with --json
 * also the error document on stdout.
 */
final class UsageErrorHandler implements IParameterExceptionHandler {
    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println("passthrough: " + ex.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
        err.println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for more information.");
        err.flush();
        if (JsonOutput.requested(cl, args)) {
            ErrorHandler.printJson(cl, JsonOutput.codeFor(ExitCodes.USAGE), ex.getMessage(), ExitCodes.USAGE, null);
        }
        return ExitCodes.USAGE;
    }
}
