package passthrough.cli;

import passthrough.core.plugins.PluginFailedException;
import java.io.IOException;
import java.io.PrintWriter;
import passthrough.api.InvalidPciAddressException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/** Turns exceptions into one clear line on stderr and an exit code; the stack trace only with -v. */
final class ErrorHandler implements IExecutionExceptionHandler {
    private final boolean verbose;

    ErrorHandler(boolean verbose) {
        this.verbose = verbose;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, ParseResult parsed) {
        PrintWriter err = cl.getErr();
        int code;
        String message;
        if (ex instanceof UserError u) {
            code = u.exitCode();
            message = u.getMessage();
        } else if (ex instanceof InvalidPciAddressException a) {
            code = ExitCodes.USAGE;
            message = a.getMessage();
        } else if (ex instanceof PluginFailedException p) {
            code = ExitCodes.REFUSED;
            message = p.getMessage();
        } else if (ex instanceof IOException || ex instanceof java.io.UncheckedIOException) {
            code = ExitCodes.IO_ERROR;
            message = ex.getMessage();
        } else {
            code = ExitCodes.INTERNAL;
            message = "internal error (" + ex + "); this is a bug: please report it with the output of the same "
                    + "command run with -v";
        }
        err.println("passthrough: " + message);
        if (verbose) ex.printStackTrace(err);
        else if (code == ExitCodes.INTERNAL) err.println("passthrough: run again with -v for the stack trace");
        err.flush();
        return code;
    }
}
