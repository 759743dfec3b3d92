package passthrough.cli;

import java.io.PrintWriter;
import passthrough.core.apply.FaultInjection;
import picocli.CommandLine;

/** Entry point: `passthrough ...`. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        PrintWriter err = new PrintWriter(System.err, true);
        // crash tests only: the executor's fault-injection markers (off unless PASSTHROUGH_TEST_PAUSE_AT is set)
        FaultInjection.announceTo(err::println);
        System.exit(run(args, new PrintWriter(System.out, true), err));
    }

    /** Runs one command line with the given streams; tests call this in-process. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        boolean verbose = false;
        for (String a : args) {
            if (a.equals("-v") || a.equals("--verbose")) verbose = true;
            if (a.equals("--")) break;
        }
        // logback reads this property when first used: OFF unless -v, and always to stderr (logback.xml)
        System.setProperty("passthrough.log.level", verbose ? "DEBUG" : "OFF");
        // Without -v nothing is logged, so slf4j is bound to its built-in no-op provider instead of logback: starting
        // logback (about 500 classes and its XML configuration) was a large part of every command's start-up.
        // Like the level above, this takes effect when slf4j is first used in the JVM. The verbosity keeps slf4j's
        // own "loading provider" note off stderr.
        if (verbose) {
            System.clearProperty("slf4j.provider");
        } else {
            System.setProperty("slf4j.provider", "org.slf4j.helpers.NOP_FallbackServiceProvider");
            System.setProperty("slf4j.internal.verbosity", "WARN");
        }
        Terminal terminal = Terminal.forThisProcess(args);
        StyledWriter styled = null;
        if (terminal.color() || terminal.quiet()) {
            // --json never gets here coloured (Terminal), and a quiet JSON document has no [ok] lines to drop
            styled = new StyledWriter(out, terminal.color(), terminal.quiet());
            out = new PrintWriter(styled, true);
        }
        PassthroughCommand top = new PassthroughCommand();
        top.terminal = terminal;
        CommandLine cl = new CommandLine(top);
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler(new ErrorHandler(verbose));
        cl.setParameterExceptionHandler(new UsageErrorHandler());
        int status = cl.execute(args);
        if (styled != null) {
            try {
                styled.finish();
            } catch (java.io.IOException e) {
                // stdout is gone (a closed pipe): nothing left to tell it
            }
        }
        return status;
    }
}
