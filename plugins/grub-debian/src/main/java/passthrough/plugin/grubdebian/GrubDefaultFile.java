package passthrough.plugin.grubdebian;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A shell-variable file as grub-mkconfig sources it with /bin/sh ({@code /etc/default/grub},
 * {@code /etc/default/grub.d/*.cfg}), kept lossless: {@link #text()} gives back the input byte for byte, and an
 * edit rewrites only the value of one assignment (and, inside it, only the characters that change).
 *
 * <p>It understands plain assignments ({@code NAME=value}, {@code export NAME=value}) whose value is one shell word
 * made of double-quoted, single-quoted and unquoted parts. Everything it does not model (command substitution,
 * {@code ${VAR#x}}, assignments inside {@code if} blocks or after a {@code ;}, a quote left open over several lines)
 * is still kept verbatim, and the assignment carries a {@link Assignment#problem() problem} so nobody edits it.
 */
public final class GrubDefaultFile {

    private static final Pattern ASSIGNMENT =
            Pattern.compile("^([ \\t]*)(export[ \\t]+)?([A-Za-z_][A-Za-z0-9_]*)(\\+?)=");
    /** A GRUB_ variable set somewhere in a line other than at its start: shell logic we do not follow. */
    private static final Pattern GRUB_ASSIGNMENT_ANYWHERE =
            Pattern.compile("(?<![A-Za-z0-9_$])(GRUB_[A-Za-z0-9_]*)\\+?=");
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final String WORD_ENDS = " \t;&|<>()";
    /** After '$', these make sh expand a positional or special parameter, not print a '$'. */
    private static final String SPECIAL_PARAMETERS = "0123456789#?$!@*-";
    /** Characters a one-line value cannot hold: the line would end, or the file would not be text. */
    private static final String NOT_IN_A_LINE = "\n\r\0";

    private record Line(String content, String terminator) {
    }

    private final String path;
    private final List<Line> lines;
    private final List<Assignment> assignments;

    private GrubDefaultFile(String path, List<Line> lines) {
        this.path = path;
        this.lines = List.copyOf(lines);
        this.assignments = scan(this.lines);
    }

    /** Parses the text of the file at {@code path} (relative to the host root; used in messages). Never fails. */
    public static GrubDefaultFile parse(String path, String text) {
        List<Line> lines = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            int nl = text.indexOf('\n', i);
            if (nl < 0) {
                lines.add(new Line(text.substring(i), ""));
                break;
            }
            boolean crlf = nl > i && text.charAt(nl - 1) == '\r';
            lines.add(new Line(text.substring(i, crlf ? nl - 1 : nl), crlf ? "\r\n" : "\n"));
            i = nl + 1;
        }
        return new GrubDefaultFile(path, lines);
    }

    public String path() {
        return path;
    }

    /** The file, byte for byte as parsed plus the edits made. */
    public String text() {
        StringBuilder sb = new StringBuilder();
        for (Line l : lines) sb.append(l.content()).append(l.terminator());
        return sb.toString();
    }

    /** Whether lines end in CR LF: /bin/sh then reads the CR as part of the last value on each line. */
    public boolean usesCrlf() {
        return lines.stream().anyMatch(l -> l.terminator().equals("\r\n"));
    }

    /** Every assignment, in file order, including those that cannot be edited. */
    public List<Assignment> assignments() {
        return assignments;
    }

    public List<Assignment> assignmentsOf(String name) {
        return assignments.stream().filter(a -> a.name().equals(name)).toList();
    }

    /** The assignment that wins when the file is sourced: the last one. */
    public Optional<Assignment> last(String name) {
        List<Assignment> all = assignmentsOf(name);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /**
     * This file with {@code assignment}'s value replaced so that it evaluates to {@code newValue}. Characters of the
     * value that stay the same keep their spelling (quotes, escapes); only the changed middle is written anew.
     *
     * @throws IllegalArgumentException when the assignment has a {@link Assignment#problem() problem}
     */
    public GrubDefaultFile withValue(Assignment assignment, String newValue) {
        if (assignment.problem().isPresent()) {
            throw new IllegalArgumentException(path + " line " + assignment.line() + ": " + assignment.problem().get());
        }
        requireOneLine(newValue, path + " line " + assignment.line());
        Line line = lines.get(assignment.lineIndex);
        String raw = line.content().substring(assignment.valueStart, assignment.valueEnd);
        String newRaw = assignment.value.respell(raw, newValue);
        String content = line.content().substring(0, assignment.valueStart) + newRaw
                + line.content().substring(assignment.valueEnd);
        List<Line> out = new ArrayList<>(lines);
        out.set(assignment.lineIndex, new Line(content, line.terminator()));
        return new GrubDefaultFile(path, out);
    }

    /**
     * This file with {@code NAME="value"} added as a new last line, in the file's line-ending style. A file without
     * a final newline keeps lacking one.
     */
    public GrubDefaultFile withAppended(String name, String value) {
        requireOneLine(value, path + " (new " + name + ")");
        GrubDefaultFile out = appended(name, value);
        // The new line is only a plain assignment if the file ends at the top level: not inside a quote, an if/case/loop
        // block or a continued line, where sh would read it as part of something else.
        Optional<Assignment> added = out.last(name);
        if (added.isEmpty() || added.get().line() != out.lines.size() || added.get().problem().isPresent()
                || !added.get().evaluate(v -> null).equals(value)) {
            throw new IllegalArgumentException(path + " ends inside a quote, an if/case/loop block or a continued line, "
                    + "so a " + name + " line added at its end would not be read as a plain assignment");
        }
        return out;
    }

    private static void requireOneLine(String value, String where) {
        for (char c : NOT_IN_A_LINE.toCharArray()) {
            if (value.indexOf(c) >= 0) {
                throw new IllegalArgumentException(where + ": the value holds a line break or NUL, which cannot be "
                        + "written into a one-line shell assignment");
            }
        }
    }

    private GrubDefaultFile appended(String name, String value) {
        String newline = usesCrlf() ? "\r\n" : "\n";
        List<Line> out = new ArrayList<>(lines);
        String terminator = newline;
        if (!out.isEmpty() && out.get(out.size() - 1).terminator().isEmpty()) {
            Line last = out.remove(out.size() - 1);
            out.add(new Line(last.content(), newline));
            terminator = "";
        }
        out.add(new Line(name + "=" + Value.doubleQuoted(value), terminator));
        return new GrubDefaultFile(path, out);
    }

    private static List<Assignment> scan(List<Line> lines) {
        List<Assignment> found = new ArrayList<>();
        int depth = 0; // if/case/loop/function blocks: assignments inside may or may not run
        char open = 0; // a quote (' " `) an earlier line left open: the lines up to its end are inside a string
        String opaque = null; // after a here-document, later lines may be its data
        int continued = -1; // the line whose command goes on on this one
        for (int i = 0; i < lines.size(); i++) {
            String s = lines.get(i).content();
            if (open != 0) {
                int close = closingIndex(s, 0, open);
                if (close < 0) continue; // still inside the string: not a statement
                LineEnd end = lex(s, close);
                open = end.open();
                if (end.heredoc() && opaque == null) opaque = heredoc(i);
                continued = end.continues() ? i : -1;
                hidden(found, s, i, -1, close);
                continue;
            }
            String trimmed = s.strip();
            if (continued < 0 && (trimmed.isEmpty() || trimmed.startsWith("#"))) continue;
            String continues = continued < 0 ? null : "it continues the command of line " + (continued + 1)
                    + " (a '\\', | or && at its end), so it is not a plain assignment";
            continued = -1;
            Matcher m = ASSIGNMENT.matcher(s);
            int assignedNameAt = -1;
            int codeFrom = 0;
            Value value = null;
            if (m.find()) {
                assignedNameAt = m.start(3);
                int valueStart = m.end();
                value = Value.scan(s, valueStart);
                int valueEnd = value.end;
                String problem = value.problem;
                if (problem == null && !m.group(4).isEmpty()) {
                    problem = "'+=' is bash, not /bin/sh, which grub-mkconfig uses";
                }
                if (problem == null && depth > 0) {
                    problem = "it is set inside an if/case/loop block, so whether it applies depends on shell logic";
                }
                if (problem == null && opaque != null) problem = opaque;
                if (problem == null && continues != null) problem = continues;
                if (problem == null) problem = trailingProblem(s.substring(valueEnd));
                if (problem == null && s.indexOf('\0', valueStart) >= 0) problem = "its line holds a NUL byte, which sh drops";
                found.add(new Assignment(m.group(3), m.group(2) != null, i, valueStart, valueEnd,
                        s.substring(valueStart, valueEnd), value, problem));
                if (value.unclosedQuote) {
                    // the value goes on over the next lines: they are not statements
                    open = value.openQuote;
                    continue;
                }
                codeFrom = valueEnd;
            } else {
                depth = Math.max(0, depth + depthChange(trimmed));
            }
            LineEnd end = lex(s, codeFrom);
            open = end.open();
            if (end.heredoc() && opaque == null) opaque = heredoc(i);
            if (end.continues() || (value != null && value.continues)) continued = i;
            hidden(found, s, i, assignedNameAt, 0);
        }
        return List.copyOf(found);
    }

    /** GRUB_ variables set elsewhere on a line than at its start: shell logic passthrough does not follow. */
    private static void hidden(List<Assignment> found, String s, int i, int assignedNameAt, int from) {
        Matcher hidden = GRUB_ASSIGNMENT_ANYWHERE.matcher(commentless(s));
        hidden.region(Math.min(from, hidden.regionEnd()), hidden.regionEnd());
        while (hidden.find()) {
            if (hidden.start(1) == assignedNameAt) continue;
            found.add(new Assignment(hidden.group(1), false, i, hidden.start(), hidden.start(), "", null,
                    "it is set by shell logic on that line (after ';', in a condition or a command), which "
                            + "passthrough does not follow"));
        }
    }

    private static String heredoc(int lineIndex) {
        return "it comes after the here-document (<<) on line " + (lineIndex + 1) + ", whose lines may be its data";
    }

    /**
     * How a line ends for sh: a quote left open (0 for none), whether it starts a here-document, and whether the
     * command goes on on the next line ('\\' at the end, or a trailing |, && or ||).
     */
    private record LineEnd(char open, boolean heredoc, boolean continues) {
    }

    /** Reads {@code s} from {@code from} as sh would, outside any quote at first, up to a comment. */
    private static LineEnd lex(String s, int from) {
        boolean heredoc = false;
        int codeEnd = s.length();
        for (int k = from; k < s.length(); k++) {
            char c = s.charAt(k);
            if (c == '\\') {
                if (k + 1 >= s.length()) return new LineEnd((char) 0, heredoc, true);
                k++;
            } else if (c == '\'' || c == '"' || c == '`') {
                int close = closingIndex(s, k + 1, c);
                if (close < 0) return new LineEnd(c, heredoc, false);
                k = close - 1;
            } else if (c == '#' && (k == 0 || " \t;&|(".indexOf(s.charAt(k - 1)) >= 0)) {
                codeEnd = k;
                break;
            } else if (c == '<' && k + 1 < s.length() && s.charAt(k + 1) == '<') {
                heredoc = true;
                k++;
            }
        }
        String code = s.substring(Math.min(from, codeEnd), codeEnd).strip();
        return new LineEnd((char) 0, heredoc, code.endsWith("|") || code.endsWith("&&"));
    }

    /** The index just after the quote that closes {@code quote} from {@code from}, or -1 when the line does not close it. */
    private static int closingIndex(String s, int from, char quote) {
        for (int k = from; k < s.length(); k++) {
            char c = s.charAt(k);
            if (c == '\\' && quote != '\'') {
                k++;
                continue;
            }
            if (c == quote) return k + 1;
        }
        return -1;
    }

    /** The line up to an unquoted '#' that starts a word; good enough to find hidden assignments. */
    private static String commentless(String s) {
        char quote = 0;
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            if (quote != 0) {
                if (c == '\\' && quote == '"') k++;
                else if (c == quote) quote = 0;
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '\\') {
                k++;
            } else if (c == '#' && (k == 0 || Character.isWhitespace(s.charAt(k - 1)))) {
                return s.substring(0, k);
            }
        }
        return s;
    }

    private static String trailingProblem(String rest) {
        String r = rest.stripLeading();
        if (r.isEmpty() || r.startsWith("#")) return null;
        if (r.startsWith(";")) {
            String after = r.substring(1).strip();
            if (after.isEmpty() || after.startsWith("#") || after.matches("export( [A-Za-z_][A-Za-z0-9_ ]*)?")) return null;
            return "more shell commands follow it on the same line";
        }
        if (rest.equals(r)) return "the value does not end where a shell word ends";
        return "more shell words follow the value on the same line (in sh, 'A=x cmd' sets A for cmd only)";
    }

    private static int depthChange(String trimmed) {
        String first = trimmed.split("[ \\t;]", 2)[0];
        int change = switch (first) {
            case "if", "case", "for", "while", "until" -> 1;
            case "fi", "esac", "done", "}" -> -1;
            default -> 0;
        };
        String code = commentless(trimmed).strip();
        if (code.endsWith("{")) change++;
        if (code.endsWith("; fi") || code.endsWith(";fi") || code.endsWith("; done") || code.endsWith("esac")) {
            if (change > 0) change--; // a one-line if ... fi
        }
        return change;
    }

    /** One {@code NAME=value} in the file. */
    public static final class Assignment {
        private final String name;
        private final boolean exported;
        private final int lineIndex;
        private final int valueStart;
        private final int valueEnd;
        private final String rawValue;
        private final Value value;
        private final String problem;

        private Assignment(String name, boolean exported, int lineIndex, int valueStart, int valueEnd,
                           String rawValue, Value value, String problem) {
            this.name = name;
            this.exported = exported;
            this.lineIndex = lineIndex;
            this.valueStart = valueStart;
            this.valueEnd = valueEnd;
            this.rawValue = rawValue;
            this.value = value;
            this.problem = problem;
        }

        public String name() {
            return name;
        }

        /** 1-based line number (the first line, for a value over several lines). */
        public int line() {
            return lineIndex + 1;
        }

        public boolean exported() {
            return exported;
        }

        /** The value as written, quotes included. */
        public String rawValue() {
            return rawValue;
        }

        /** Why this assignment must not be edited automatically; empty when it can be. */
        public Optional<String> problem() {
            return Optional.ofNullable(problem);
        }

        /** Whether the value uses {@code $...} or backquotes, so its text depends on the shell. */
        public boolean hasExpansion() {
            return value == null || value.hasExpansion;
        }

        /**
         * The value the shell assigns, with {@code $NAME} and {@code ${NAME}} taken from {@code variables} (null
         * for unset: empty). Expansions it cannot evaluate ({@code $(...)}, {@code ${A#x}}) stay as written.
         */
        public String evaluate(Function<String, String> variables) {
            return value == null ? "" : value.evaluate(variables);
        }

        @Override
        public String toString() {
            return name + "=" + rawValue + " (line " + line() + ")";
        }
    }

    /** A shell word after '=': its parts, each literal character remembering where it is written. */
    static final class Value {
        private enum Style { DOUBLE, SINGLE, UNQUOTED }

        /** A literal character (expansion == null) or an expansion, and the part (segment) it is written in. */
        private record Part(char ch, String expansion, String variable, int rawOffset, int segment) {
        }

        private final List<Part> parts = new ArrayList<>();
        private final List<Style> segments = new ArrayList<>();
        private int end;
        private boolean hasExpansion;
        private boolean unclosedQuote;
        private char openQuote;
        /** The line ends in the value's '\\': the next line continues this command. */
        private boolean continues;
        private String problem;

        static Value scan(String s, int start) {
            Value v = new Value();
            int i = start;
            int n = s.length();
            while (i < n && WORD_ENDS.indexOf(s.charAt(i)) < 0) {
                char c = s.charAt(i);
                if (c == '"' || c == '\'') {
                    v.segments.add(c == '"' ? Style.DOUBLE : Style.SINGLE);
                    int seg = v.segments.size() - 1;
                    i++;
                    while (i < n && s.charAt(i) != c) {
                        char d = s.charAt(i);
                        if (c == '"' && d == '\\' && i + 1 < n && "$`\"\\".indexOf(s.charAt(i + 1)) >= 0) {
                            v.parts.add(new Part(s.charAt(i + 1), null, null, i - start, seg));
                            i += 2;
                        } else if (c == '"' && (d == '$' || d == '`')) {
                            i = v.expansion(s, i, start, seg);
                        } else {
                            v.parts.add(new Part(d, null, null, i - start, seg));
                            i++;
                        }
                    }
                    if (i >= n) {
                        v.unclosedQuote = true;
                        v.openQuote = c;
                        v.problem = "its quoted value goes on over several lines";
                        v.end = n;
                        return v;
                    }
                    i++;
                    continue;
                }
                if (v.segments.isEmpty() || v.segments.get(v.segments.size() - 1) != Style.UNQUOTED
                        || v.lastSegmentClosed(i - start)) {
                    v.segments.add(Style.UNQUOTED);
                }
                int seg = v.segments.size() - 1;
                if (c == '\\') {
                    if (i + 1 >= n) {
                        v.continues = true;
                        v.problem = "it ends in '\\', continuing on the next line";
                        i++;
                        break;
                    }
                    v.parts.add(new Part(s.charAt(i + 1), null, null, i - start, seg));
                    v.segments.add(Style.UNQUOTED); // an escape is its own part: never respelled in place
                    i += 2;
                } else if (c == '$' || c == '`') {
                    i = v.expansion(s, i, start, seg);
                } else {
                    v.parts.add(new Part(c, null, null, i - start, seg));
                    i++;
                }
            }
            v.end = i;
            if (v.unclosedQuote) return v;
            if (v.problem == null && v.hasExpansion) {
                v.problem = "its value uses shell expansion (" + v.firstExpansion() + ")";
            }
            return v;
        }

        private boolean lastSegmentClosed(int rawOffset) {
            // an unquoted run continues only when the previous character written was in it, unescaped
            if (parts.isEmpty()) return true;
            Part last = parts.get(parts.size() - 1);
            return last.segment() != segments.size() - 1 || rawOffset != last.rawOffset() + 1;
        }

        private int expansion(String s, int i, int start, int seg) {
            int n = s.length();
            char c = s.charAt(i);
            int j;
            String variable = null;
            if (c == '`') {
                j = s.indexOf('`', i + 1);
                if (j < 0) openOverLines('`');
                j = j < 0 ? n : j + 1;
            } else if (i + 1 < n && s.charAt(i + 1) == '{') {
                j = s.indexOf('}', i + 2);
                if (j < 0) openOverLines('}');
                j = j < 0 ? n : j + 1;
                String inner = s.substring(i + 2, Math.max(i + 2, j - 1));
                if (NAME.matcher(inner).matches()) variable = inner;
            } else if (i + 1 < n && s.charAt(i + 1) == '(') {
                int depth = 0;
                j = i + 1;
                for (; j < n; j++) {
                    if (s.charAt(j) == '(') depth++;
                    if (s.charAt(j) == ')' && --depth == 0) break;
                }
                if (j >= n) openOverLines(')');
                j = Math.min(n, j + 1);
            } else if (i + 1 < n && SPECIAL_PARAMETERS.indexOf(s.charAt(i + 1)) >= 0) {
                j = i + 2; // $1, $#, $?, $$, ...: positional and special parameters expand (to "" when sourced)
            } else {
                Matcher m = NAME.matcher(s).region(i + 1, n);
                if (!m.lookingAt()) { // a lone '$' is literal in sh
                    parts.add(new Part('$', null, null, i - start, seg));
                    return i + 1;
                }
                variable = m.group();
                j = m.end();
            }
            hasExpansion = true;
            parts.add(new Part('\0', s.substring(i, j), variable, i - start, seg));
            return j;
        }

        /** An expansion not closed on its line: sh reads on over the next lines, as for an open quote. */
        private void openOverLines(char closer) {
            unclosedQuote = true;
            openQuote = closer;
            problem = "its value goes on over several lines (an expansion is not closed on its line)";
        }

        private String firstExpansion() {
            return parts.stream().filter(p -> p.expansion() != null).map(Part::expansion).findFirst().orElse("$");
        }

        String evaluate(Function<String, String> variables) {
            StringBuilder sb = new StringBuilder();
            for (Part p : parts) {
                if (p.expansion() == null) {
                    sb.append(p.ch());
                } else if (p.variable() != null) {
                    String v = variables.apply(p.variable());
                    if (v != null) sb.append(v);
                } else {
                    sb.append(p.expansion());
                }
            }
            return sb.toString();
        }

        /**
         * The raw spelling of a value that evaluates to {@code newValue}, keeping {@code raw}'s characters where the
         * old and new value agree (common prefix and suffix). Only for values without expansions.
         */
        String respell(String raw, String newValue) {
            String old = evaluate(v -> null);
            if (old.equals(newValue)) return raw;
            int p = 0;
            int max = Math.min(old.length(), newValue.length());
            while (p < max && old.charAt(p) == newValue.charAt(p)) p++;
            int s = 0;
            while (s < max - p && old.charAt(old.length() - 1 - s) == newValue.charAt(newValue.length() - 1 - s)) s++;
            int oldEnd = old.length() - s;
            String middle = newValue.substring(p, newValue.length() - s);
            if (segments.size() != 1) return doubleQuoted(newValue);
            Style style = segments.get(0);
            if (style == Style.UNQUOTED && !middle.chars().allMatch(Value::safeUnquoted)) return doubleQuoted(newValue);
            int from = p < parts.size() ? parts.get(p).rawOffset() : closingOffset(raw, style);
            int to = oldEnd < parts.size() ? parts.get(oldEnd).rawOffset() : closingOffset(raw, style);
            return raw.substring(0, from) + encode(middle, style) + raw.substring(to);
        }

        private static int closingOffset(String raw, Style style) {
            return style == Style.UNQUOTED ? raw.length() : raw.length() - 1;
        }

        private static boolean safeUnquoted(int c) {
            return Character.isLetterOrDigit(c) || "_-=,.:/+@%".indexOf(c) >= 0;
        }

        private static String encode(String text, Style style) {
            return switch (style) {
                case DOUBLE -> escapeDouble(text);
                case SINGLE -> text.replace("'", "'\\''");
                case UNQUOTED -> text;
            };
        }

        static String doubleQuoted(String text) {
            return "\"" + escapeDouble(text) + "\"";
        }

        private static String escapeDouble(String text) {
            StringBuilder sb = new StringBuilder();
            for (char c : text.toCharArray()) {
                if ("\\\"$`".indexOf(c) >= 0) sb.append('\\');
                sb.append(c);
            }
            return sb.toString();
        }
    }
}
