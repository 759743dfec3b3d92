package passthrough.plugin.kernelcmdline;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import passthrough.api.Finding;

/**
 * The text of /etc/kernel/cmdline: one line that kernel-install and proxmox-boot-tool copy into the {@code options}
 * line of the loader entries they write. The file has no comment syntax (kernel-install's 90-loaderentry.install
 * reads it with {@code tr -s "$IFS" ' '}, so every line, a {@code #} line too, would become part of the options),
 * which is why a second non-empty line is refused rather than guessed at. An edit replaces the characters of that
 * one line; every other byte, a trailing newline or its absence and a CR before the newline included, stays.
 */
final class KernelCmdlineFile {

    static final String PATH = "etc/kernel/cmdline";

    /** One line of the file: 1-based number and where its text is, without the line end ("\n" or "\r\n"). */
    record Line(int number, int start, int end) {
    }

    private final String text;
    private final List<Line> lines;

    private KernelCmdlineFile(String text) {
        this.text = text;
        this.lines = split(text);
    }

    static KernelCmdlineFile of(String text) {
        return new KernelCmdlineFile(text);
    }

    private static List<Line> split(String text) {
        List<Line> out = new ArrayList<>();
        int start = 0;
        int number = 1;
        while (start < text.length()) {
            int newline = text.indexOf('\n', start);
            int next = newline < 0 ? text.length() : newline + 1;
            int end = newline < 0 ? text.length() : newline;
            if (newline >= 0 && end > start && text.charAt(end - 1) == '\r') end--; // CR LF: the CR is the line end's
            out.add(new Line(number++, start, end));
            start = next;
        }
        return out;
    }

    String text() {
        return text;
    }

    private String textOf(Line line) {
        return text.substring(line.start(), line.end());
    }

    private static boolean blank(String s) {
        return s.chars().allMatch(c -> c == ' ' || (c >= '\t' && c <= '\r'));
    }

    /** The line that holds the command line: the first non-blank one, else the first, else none (an empty file). */
    private Optional<Line> commandLineLine() {
        return lines.stream().filter(l -> !blank(textOf(l))).findFirst().or(() -> lines.stream().findFirst());
    }

    /** The command line as written (without the line end); "" for an empty file. */
    String commandLine() {
        return commandLineLine().map(this::textOf).orElse("");
    }

    /**
     * Why this file cannot be edited as one line, naming the file and line: a NUL (the shell that reads it drops or
     * stops at it, so what reaches the entries is not what the file says), or a second non-empty line.
     */
    Optional<Finding> problem() {
        int nul = text.indexOf('\0');
        if (nul >= 0) {
            int line = (int) text.substring(0, nul).chars().filter(c -> c == '\n').count() + 1;
            return Optional.of(Finding.error("KERNEL_CMDLINE_NUL", PATH + " line " + line + ": holds a NUL byte, which "
                    + "the shell that copies this file into the loader entries drops, so the line the next boot gets is "
                    + "not what the file says; passthrough will not rewrite it",
                    "write the command line again as plain text on one line (`cat -A /" + PATH + "` shows the ^@), then plan again"));
        }
        List<Line> nonBlank = lines.stream().filter(l -> !blank(textOf(l))).toList();
        if (nonBlank.size() > 1) {
            Line second = nonBlank.get(1);
            return Optional.of(Finding.error("KERNEL_CMDLINE_SEVERAL_LINES", PATH + " line " + second.number()
                    + ": a second non-empty line (the first is line " + nonBlank.get(0).number() + "); the file is one "
                    + "command line without comments (kernel-install joins the lines, proxmox-boot-tool copies them as "
                    + "they are), so passthrough will not guess which line to edit",
                    "join the lines into one line (or delete the stray one), then plan again"));
        }
        return Optional.empty();
    }

    /** This file's text with the command line replaced by {@code commandLine}; nothing else changes. */
    String withCommandLine(String commandLine) {
        Optional<Line> line = commandLineLine();
        if (line.isEmpty()) return commandLine; // an empty file: no line end was there, none is added
        return text.substring(0, line.get().start()) + commandLine + text.substring(line.get().end());
    }

    /** The line number of the command line, for messages (1 for an empty file). */
    int lineNumber() {
        return commandLineLine().map(Line::number).orElse(1);
    }
}
