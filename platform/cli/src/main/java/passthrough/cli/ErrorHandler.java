package passthrough.cli;

import passthrough.core.plugins.PluginFailedException;
import java.io.IOException;
import java.io.PrintWriter;
import passthrough.api.InvalidPciAddressException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns exceptions into one clear line on stderr and an exit code; the stack trace only with -v. With --json the
 * same error is also the command's one JSON document on stdout (docs/json.md).
 */
final class ErrorHandler implements IExecutionExceptionHandler {
    private final boolean verbose;

    ErrorHandler(boolean verbose) {
        this.verbose = verbose;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, ParseResult parsed) {
        PrintWriter err = cl.getErr();
        int code;
        String errorCode;
        String message;
        Object partial = null;
        if (ex instanceof UserError u) {
            code = u.exitCode();
            errorCode = u.code();
            message = u.getMessage();
            partial = u.partialResult();
        } else if (ex instanceof InvalidPciAddressException a) {
            code = ExitCodes.USAGE;
            errorCode = "INVALID_ADDRESS";
            message = a.getMessage();
        } else if (ex instanceof PluginFailedException p) {
            code = ExitCodes.REFUSED;
            errorCode = "PLUGIN_FAILED";
            message = p.getMessage();
        } else if (ex instanceof IOException || ex instanceof java.io.UncheckedIOException) {
            code = ExitCodes.IO_ERROR;
            errorCode = JsonOutput.codeFor(code);
            message = ex.getMessage();
        } else {
            code = ExitCodes.INTERNAL;
            errorCode = JsonOutput.codeFor(code);
            message = "internal error (" + ex + "); this is a bug: please report it with the output of the same "
                    + "command run with -v";
        }
        err.println("passthrough: " + message);
        if (verbose) ex.printStackTrace(err);
        else if (code == ExitCodes.INTERNAL) err.println("passthrough: run again with -v for the stack trace");
        err.flush();
        if (JsonOutput.requested(cl, parsed == null ? null : parsed.originalArgs().toArray(String[]::new))) {
            printJson(cl, errorCode, message, code, partial);
        }
        return code;
    }

    /** The error document; a failure to make it must not hide the error itself (or turn it into exit 70). */
    static void printJson(CommandLine cl, String errorCode, String message, int exitCode, Object partial) {
        try {
            JsonOutput.printError(cl.getOut(), JsonOutput.commandName(cl), errorCode, message, exitCode, partial);
        } catch (RuntimeException e) {
            cl.getErr().println("passthrough: cannot write the JSON error document: " + e.getMessage());
            cl.getErr().flush();
        }
    }
}
