package passthrough.plugin.dracut;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One dracut.conf.d file, edited only in the list lines this plugin owns ({@code force_drivers+=" ... "},
 * {@code install_items+=" ... "}, ...): every other byte of the file stays as it was, and an owned line changes only
 * inside its quotes.
 *
 * <p>dracut sources these files with bash, so a line can be anything bash takes. This class accepts an owned line only
 * in the one form dracut.conf(5) documents, {@code name+=" word word "}: {@code +=}, double quotes, no expansion
 * ({@code $}, backquote, backslash, another quote), the whole value on that line, a space right after the opening
 * quote and right before the closing one (dracut concatenates the strings of all files, so without those spaces the
 * first word would glue onto the previous file's last word), optionally followed by a comment. Any other line that
 * assigns an owned name is refused with its line number instead of being guessed at.
 */
final class DracutListFile {
    /** name, operator, then the rest of the line (a carriage return included: bash makes it part of the value). */
    private static final Pattern ASSIGNMENT = Pattern.compile("^[ \\t]*([A-Za-z_][A-Za-z0-9_]*)[ \\t]*(\\+?=)(.*)$", Pattern.DOTALL);
    /** {@code "value"} then blanks and an optional comment. */
    private static final Pattern QUOTED_VALUE = Pattern.compile("^\"([^\"$`\\\\']*)\"([ \\t]*(#.*)?)$");

    private final String path;
    private final List<Line> lines;

    private DracutListFile(String path, List<Line> lines) {
        this.path = path;
        this.lines = lines;
    }

    /** A line of the file: its text without the terminator, the terminator ("\n" or "" on a last line without one). */
    private static final class Line {
        String text;
        final String terminator;
        /** For an owned list line: the variable and where the value inside the quotes starts and ends. */
        String variable;
        int valueStart;
        int valueEnd;

        Line(String text, String terminator) {
            this.text = text;
            this.terminator = terminator;
        }

        List<String> words() {
            String value = text.substring(valueStart, valueEnd).strip();
            return value.isEmpty() ? List.of() : List.of(value.split("[ \\t]+"));
        }
    }

    /** Why an owned line cannot be edited, with its 1-based line number. */
    record Refusal(String path, int line, String reason, String wayOut) {
        String message() {
            return path + " line " + line + ": " + reason;
        }
    }

    /**
     * The file's text split into lines, the lines assigning one of {@code owned} checked; a refusal for the first one
     * that is not in the plain {@code name+=" words "} form.
     */
    static Parsed parse(String path, String text, Set<String> owned) {
        List<Line> lines = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int nl = text.indexOf('\n', start);
            int end = nl < 0 ? text.length() : nl;
            lines.add(new Line(text.substring(start, end), nl < 0 ? "" : "\n"));
            start = nl < 0 ? text.length() : nl + 1;
        }
        for (int i = 0; i < lines.size(); i++) {
            Line line = lines.get(i);
            Matcher a = ASSIGNMENT.matcher(line.text);
            if (!a.matches() || !owned.contains(a.group(1))) continue;
            String name = a.group(1);
            if (a.group(2).equals("=")) {
                return Parsed.refused(new Refusal(path, i + 1, name + "= replaces the list every file before it built "
                        + "(dracut.conf(5) lists are appended to with +=), and passthrough does not rewrite an assignment",
                        "change it to " + name + "+=\" ... \" with a space after the opening and before the closing quote"));
            }
            if (line.text.endsWith("\r")) {
                return Parsed.refused(new Refusal(path, i + 1, name + "+= ends in a carriage return (a DOS line end), "
                        + "which bash makes part of the list as a word of its own",
                        "save the file with Unix line ends (dos2unix " + "/" + path + ")"));
            }
            Matcher v = QUOTED_VALUE.matcher(a.group(3));
            int valueStart = a.start(3) + 1;
            if (!v.matches()) {
                return Parsed.refused(new Refusal(path, i + 1, name + "+= is not a plain double-quoted list on one "
                        + "line (expansions, other quotes, backslashes or a value continued on the next line are bash "
                        + "that passthrough cannot edit losslessly)",
                        "write it as " + name + "+=\" word word \" on one line, or move it to a file of your own"));
            }
            String value = v.group(1);
            if (value.isEmpty() || !isBlank(value.charAt(0)) || !isBlank(value.charAt(value.length() - 1))) {
                return Parsed.refused(new Refusal(path, i + 1, name + "+=\"" + value + "\" lacks the space after the "
                        + "opening or before the closing quote, so dracut glues its first or last word onto the "
                        + "neighbouring file's list (dracut.conf(5): \"Space-separated lists have to have a leading and "
                        + "trailing space!\")", "write " + name + "+=\" " + value.strip() + " \""));
            }
            line.variable = name;
            line.valueStart = valueStart;
            line.valueEnd = valueStart + value.length();
        }
        return new Parsed(new DracutListFile(path, lines), null);
    }

    record Parsed(DracutListFile file, Refusal refusal) {
        static Parsed refused(Refusal refusal) {
            return new Parsed(null, refusal);
        }
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }

    /** The words of every {@code variable+=} line, in file order. */
    List<String> words(String variable) {
        Set<String> out = new LinkedHashSet<>();
        for (Line l : lines) if (variable.equals(l.variable)) out.addAll(l.words());
        return List.copyOf(out);
    }

    /**
     * Adds {@code words} to the list: inside the quotes of the last {@code variable+=} line (before its closing space),
     * else as a new line at the end of the file.
     */
    void add(String variable, List<String> words) {
        if (words.isEmpty()) return;
        Optional<Line> last = lines.stream().filter(l -> variable.equals(l.variable)).reduce((a, b) -> b);
        if (last.isPresent()) {
            Line l = last.get();
            String inserted = String.join(" ", words) + " ";
            l.text = l.text.substring(0, l.valueEnd) + inserted + l.text.substring(l.valueEnd);
            l.valueEnd += inserted.length();
            return;
        }
        if (!lines.isEmpty() && lines.get(lines.size() - 1).terminator.isEmpty()) {
            // the file's last line had no newline: give it one rather than gluing our line onto it
            Line old = lines.remove(lines.size() - 1);
            Line fixed = new Line(old.text, "\n");
            fixed.variable = old.variable;
            fixed.valueStart = old.valueStart;
            fixed.valueEnd = old.valueEnd;
            lines.add(fixed);
        }
        String text = variable + "+=\" " + String.join(" ", words) + " \"";
        Line l = new Line(text, "\n");
        l.variable = variable;
        l.valueStart = variable.length() + 3;
        l.valueEnd = text.length() - 1;
        lines.add(l);
    }

    /** Takes every word matching {@code drop} out of the {@code variable+=} lines; the lines themselves stay. */
    void remove(String variable, Predicate<String> drop) {
        for (Line l : lines) {
            if (!variable.equals(l.variable)) continue;
            String value = l.text.substring(l.valueStart, l.valueEnd);
            StringBuilder kept = new StringBuilder();
            // tokens alternate blank runs and words; a dropped word goes with the blank run after it
            Matcher m = Pattern.compile("([^ \\t]+)([ \\t]*)").matcher(value);
            int pos = 0;
            while (m.find()) {
                kept.append(value, pos, m.start());
                if (!drop.test(m.group(1))) kept.append(m.group());
                pos = m.end();
            }
            kept.append(value.substring(pos));
            String next = kept.toString();
            if (next.equals(value)) continue;
            if (next.isEmpty()) next = " ";
            l.text = l.text.substring(0, l.valueStart) + next + l.text.substring(l.valueEnd);
            l.valueEnd = l.valueStart + next.length();
        }
    }

    String path() {
        return path;
    }

    String text() {
        StringBuilder sb = new StringBuilder();
        for (Line l : lines) sb.append(l.text).append(l.terminator);
        return sb.toString();
    }
}
