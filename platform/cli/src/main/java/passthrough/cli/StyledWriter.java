package passthrough.cli;

import java.io.IOException;
import java.io.Writer;

/**
 * The human output, line by line, on its way to stdout: with colour, the severity tags ({@code [ERROR]},
 * {@code [FAIL]} red, {@code [WARN]} yellow, {@code [ok]} green, {@code [INFO]} cyan) and unified diffs (the
 * {@code ---}/{@code +++} header bold, {@code @@} cyan, added lines green, removed red) are coloured; with
 * {@code --quiet}, the {@code [ok]} and {@code [INFO]} lines and the indented lines that continue them (a finding's
 * {@code fix:}) are left out. Done once here, so every command's output gets the same treatment, and never on
 * {@code --json} (Main does not wrap that). Text is held until its line ends; {@link #flush()} lets out a line
 * still open as it is.
 */
final class StyledWriter extends Writer {
    static final String RESET = "\u001b[0m";
    static final String RED = "\u001b[31m";
    static final String BOLD_RED = "\u001b[1;31m";
    static final String GREEN = "\u001b[32m";
    static final String YELLOW = "\u001b[33m";
    static final String CYAN = "\u001b[36m";
    static final String BOLD = "\u001b[1m";

    private final Writer out;
    private final boolean color;
    private final boolean quiet;
    private final StringBuilder line = new StringBuilder();
    /** A "--- " line waiting to see whether "+++ " follows (then both are a diff header). */
    private String pendingHeader;
    private boolean inDiff;
    /** Quiet: the last line was left out, so its indented continuation lines go too. */
    private boolean dropping;
    /** Part of the current line already let out by a flush: the rest is written as it is. */
    private boolean lineStarted;

    StyledWriter(Writer out, boolean color, boolean quiet) {
        this.out = out;
        this.color = color;
        this.quiet = quiet;
    }

    @Override
    public void write(char[] buf, int off, int len) throws IOException {
        for (int i = off; i < off + len; i++) {
            char c = buf[i];
            if (c == '\n') {
                emit(line.toString());
                line.setLength(0);
            } else {
                line.append(c);
            }
        }
    }

    private void emit(String text) throws IOException {
        if (lineStarted) {
            out.write(text + "\n");
            lineStarted = false;
            return;
        }
        if (pendingHeader != null) {
            String header = pendingHeader;
            pendingHeader = null;
            if (text.startsWith("+++ ")) {
                inDiff = true;
                out.write(paint(BOLD, header) + "\n" + paint(BOLD, text) + "\n");
                return;
            }
            out.write(styled(header) + "\n");
        }
        if (text.startsWith("--- ")) {
            pendingHeader = text;
            return;
        }
        if (inDiff) {
            if (text.startsWith("@@")) {
                out.write(paint(CYAN, text) + "\n");
                return;
            }
            if (text.startsWith("+")) {
                out.write(paint(GREEN, text) + "\n");
                return;
            }
            if (text.startsWith("-")) {
                out.write(paint(RED, text) + "\n");
                return;
            }
            if (text.startsWith(" ") || text.startsWith("\\")) {
                out.write(text + "\n");
                return;
            }
            inDiff = false;
        }
        if (quiet) {
            boolean informational = text.startsWith("[ok]") || text.startsWith("[INFO]");
            boolean continuation = !text.isEmpty() && Character.isWhitespace(text.charAt(0));
            if (informational || (dropping && continuation)) {
                dropping = true;
                return;
            }
            dropping = false;
        }
        out.write(styled(text) + "\n");
    }

    private String styled(String text) {
        if (!color) return text;
        for (String[] tag : new String[][] {{"[ERROR]", BOLD_RED}, {"[FAIL]", BOLD_RED}, {"[WARN]", YELLOW}, {"[ok]", GREEN},
                {"[INFO]", CYAN}}) {
            if (text.startsWith(tag[0])) return tag[1] + tag[0] + RESET + text.substring(tag[0].length());
        }
        return text;
    }

    private String paint(String code, String text) {
        return color ? code + text + RESET : text;
    }

    @Override
    public void flush() throws IOException {
        if (line.length() > 0) {
            // a prompt ("Apply? [y/N] ") waits for its answer on an open line: let it out as it is
            if (pendingHeader != null) {
                out.write(styled(pendingHeader) + "\n");
                pendingHeader = null;
            }
            out.write(line.toString());
            line.setLength(0);
            lineStarted = true;
        }
        out.flush();
    }

    /** Lets out what is still held (a last "--- " line, an open line), without closing the stream under it. */
    void finish() throws IOException {
        if (pendingHeader != null) out.write(styled(pendingHeader) + "\n");
        pendingHeader = null;
        if (line.length() > 0) out.write(line.toString());
        line.setLength(0);
        out.flush();
    }

    @Override
    public void close() throws IOException {
        finish();
        out.close();
    }
}
