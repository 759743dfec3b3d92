package passthrough.cli;

import java.util.Map;

/**
 * How output meets the user: colour on stdout, a redrawn progress line on stderr, or neither. Java cannot tell
 * whether one particular stream is a terminal (System.console() speaks of stdin and stdout together, and from JDK 22
 * returns a console even when both are redirected), so bin/passthrough asks the shell ({@code [ -t 1 ]},
 * {@code [ -t 2 ]}) and passes {@code -Dpassthrough.stdout.tty=true} / {@code -Dpassthrough.stderr.tty=true}. Without
 * them (tests, a plain {@code java -jar}) neither stream counts as a terminal.
 *
 * <p>Colour follows {@code --color}: {@code always}, {@code never}, or {@code auto} (the default): stdout a terminal,
 * {@code NO_COLOR} unset or empty (no-color.org), {@code TERM} set and not {@code dumb}, and no {@code --json}.
 *
 * @param color         ANSI colour on stdout
 * @param liveProgress  redraw one progress line on stderr (else plain lines, or none when quiet)
 * @param quiet         {@code --quiet}: no progress, no [ok]/[INFO] lines
 * @param columns       the width a redrawn line is cut to ({@code COLUMNS}, else 80)
 */
public record Terminal(boolean color, boolean liveProgress, boolean quiet, int columns) {
    /** Nothing fancy: what tests and pipes get. */
    public static final Terminal PLAIN = new Terminal(false, false, false, 80);

    /** Decided from the command line (before picocli parses it: the streams are set up first) and the environment. */
    static Terminal decide(String[] args, Map<String, String> env, boolean stdoutTty, boolean stderrTty) {
        String color = "auto";
        boolean quiet = false;
        boolean json = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) break;
            if (a.equals("-q") || a.equals("--quiet")) quiet = true;
            if (a.equals("--json")) json = true;
            if (a.startsWith("--color=")) color = a.substring("--color=".length());
            else if (a.equals("--color") && i + 1 < args.length) color = args[i + 1];
        }
        String term = env.get("TERM");
        boolean dumb = term == null || term.isEmpty() || term.equals("dumb");
        String noColor = env.get("NO_COLOR");
        boolean colorOn = switch (color) {
            case "always" -> true;
            case "never" -> false;
            // an unknown value is picocli's to refuse (exit 2); until then, no colour
            case "auto" -> stdoutTty && !dumb && (noColor == null || noColor.isEmpty()) && !json;
            default -> false;
        };
        int columns = 80;
        try {
            String c = env.get("COLUMNS");
            if (c != null && Integer.parseInt(c.strip()) >= 20) columns = Integer.parseInt(c.strip());
        } catch (NumberFormatException e) {
            // not a number: the default width
        }
        return new Terminal(colorOn, stderrTty && !dumb && !quiet, quiet, columns);
    }

    /** As {@link #decide(String[], Map, boolean, boolean)} for this process (the launcher's properties). */
    static Terminal forThisProcess(String[] args) {
        return decide(args, System.getenv(), Boolean.getBoolean("passthrough.stdout.tty"), Boolean.getBoolean("passthrough.stderr.tty"));
    }
}
