package passthrough.plugin.mkinitcpio;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The assignments of one array variable in a bash configuration file (mkinitcpio.conf is sourced by bash), read only
 * when bash would read them as plain words: {@code NAME=(a b c)} or {@code NAME+=(a b c)} at the top level of the file,
 * on one line or several (with {@code #} comments between words), each word bare or in quotes without anything bash
 * would expand. Every word keeps its place in the text, so an edit can change one word and leave every other byte.
 *
 * <p>Anything else that touches the variable is a {@link Problem} naming its line, never a guess: the old string form
 * {@code MODULES="a b"}, expansions ({@code $}, backquotes, {@code ~}, braces, globs), {@code declare}/{@code export},
 * an element assignment {@code MODULES[1]=}, an assignment inside {@code if}/{@code case}/a loop/a function (bash may or
 * may not run it), or more commands after the closing parenthesis. A trailing {@code ?} (mkinitcpio's "optional
 * module" mark) is accepted.
 */
final class BashArrays {
    /** Characters a bare word may consist of without bash expanding or splitting anything. */
    private static final Pattern SAFE_WORD = Pattern.compile("[A-Za-z0-9_.,:@%+/=-]+\\??");
    /** Words that open and close a compound command (a function body is a { } group). */
    private static final Set<String> OPENERS = Set.of("if", "case", "for", "while", "until", "select", "{");
    private static final Set<String> CLOSERS = Set.of("fi", "esac", "done", "}");

    private BashArrays() {
    }

    /** One word of an array: its value (quotes removed) and where its raw text is, {@code [start, end)}. */
    record Word(String value, int start, int end) {
    }

    /**
     * One plain assignment.
     *
     * @param line  1-based line of the variable's name
     * @param open  offset just after the opening parenthesis
     * @param close offset of the closing parenthesis
     */
    record Assignment(String name, boolean append, int line, int open, int close, List<Word> words) {
        List<String> values() {
            return words.stream().map(Word::value).toList();
        }
    }

    record Problem(int line, String reason) {
    }

    /** The assignments in file order, or the first problem. */
    record Parsed(List<Assignment> assignments, Problem problem) {
        static Parsed of(Problem p) {
            return new Parsed(List.of(), p);
        }

        /** The words bash ends up with after this file, starting from {@code before}: an assignment replaces, += appends. */
        List<String> effective(List<String> before) {
            List<String> out = new ArrayList<>(before);
            for (Assignment a : assignments) {
                if (!a.append()) out.clear();
                out.addAll(a.values());
            }
            return out;
        }

        /** The assignments whose words survive to the end of the file: the last plain one and the += after it. */
        List<Assignment> live() {
            int lastSet = -1;
            for (int i = 0; i < assignments.size(); i++) if (!assignments.get(i).append()) lastSet = i;
            return assignments.subList(Math.max(lastSet, 0), assignments.size());
        }
    }

    static Parsed parse(String text, String name) {
        Pattern mention = Pattern.compile("(?<![A-Za-z0-9_])" + name + "(?![A-Za-z0-9_])");
        Pattern start = Pattern.compile("^[ \\t]*" + name + "(\\+?)=\\(");
        List<Assignment> out = new ArrayList<>();
        int depth = 0;
        int depthLine = 0;
        int lineNo = 0;
        int pos = 0;
        while (pos < text.length()) {
            lineNo++;
            int nl = text.indexOf('\n', pos);
            int end = nl < 0 ? text.length() : nl;
            String line = text.substring(pos, end);
            String code = withoutComment(line);
            // the depth before this line's own words: `if ...; then MODULES=(x); fi` on one line is inside too
            int depthBefore = depth;
            for (String word : code.strip().split("[ \\t;&|()]+")) {
                if (OPENERS.contains(word)) {
                    if (depth++ == 0) depthLine = lineNo;
                } else if (CLOSERS.contains(word) && depth > 0) {
                    depth--;
                }
            }
            Matcher s = start.matcher(line);
            if (s.find()) {
                if (depthBefore > 0) {
                    return Parsed.of(new Problem(lineNo, name + " is assigned inside the if/case/loop/function that starts "
                            + "on line " + depthLine + ", so whether bash runs it depends on the host"));
                }
                ArrayScan scan = new ArrayScan(text, pos + s.end(), lineNo, name);
                Problem p = scan.run();
                if (p != null) return Parsed.of(p);
                out.add(new Assignment(name, !s.group(1).isEmpty(), lineNo, pos + s.end(), scan.close, scan.words));
                // continue after the closing parenthesis's line
                int closeLineEnd = text.indexOf('\n', scan.close);
                lineNo += count(text, pos, scan.close);
                pos = closeLineEnd < 0 ? text.length() : closeLineEnd + 1;
                continue;
            }
            if (mention.matcher(code).find()) {
                String hint = code.strip().startsWith(name + "=") || code.strip().startsWith(name + "+=")
                        ? name + " is not a ( ) array of plain words (the old string form, or a value bash expands)"
                        : name + " is used or changed by a command passthrough does not read (declare, export, an element "
                        + "assignment, an expansion)";
                return Parsed.of(new Problem(lineNo, hint));
            }
            pos = nl < 0 ? text.length() : nl + 1;
        }
        return new Parsed(out, null);
    }

    /** The line without a comment: a {@code #} that starts a word (at the start or after a blank) outside quotes. */
    private static String withoutComment(String line) {
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) quote = 0;
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '#' && (i == 0 || line.charAt(i - 1) == ' ' || line.charAt(i - 1) == '\t')) {
                return line.substring(0, i);
            }
        }
        return line;
    }

    private static int count(String text, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) if (text.charAt(i) == '\n') n++;
        return n;
    }

    /** Reads the words from just after {@code (} to the matching {@code )}, and checks the rest of that line. */
    private static final class ArrayScan {
        final String text;
        final String name;
        int i;
        int line;
        int close = -1;
        final List<Word> words = new ArrayList<>();

        ArrayScan(String text, int from, int line, String name) {
            this.text = text;
            this.i = from;
            this.line = line;
            this.name = name;
        }

        Problem run() {
            while (i < text.length()) {
                char c = text.charAt(i);
                if (c == ' ' || c == '\t') {
                    i++;
                } else if (c == '\n') {
                    line++;
                    i++;
                } else if (c == '#') {
                    while (i < text.length() && text.charAt(i) != '\n') i++;
                } else if (c == ')') {
                    close = i;
                    return restOfLine();
                } else if (c == '\'' || c == '"') {
                    int endQuote = text.indexOf(c, i + 1);
                    if (endQuote < 0) return new Problem(line, name + " has a quote that is never closed");
                    String inner = text.substring(i + 1, endQuote);
                    if (!SAFE_WORD.matcher(inner).matches()) {
                        return new Problem(line, name + " has the quoted word " + c + inner + c + ", which is empty, spans "
                                + "lines or holds characters bash may expand");
                    }
                    int after = endQuote + 1;
                    if (after < text.length() && !isBreak(text.charAt(after))) {
                        return new Problem(line, name + " glues a quoted word to more text");
                    }
                    words.add(new Word(inner, i, after));
                    i = after;
                } else {
                    int j = i;
                    while (j < text.length() && !isBreak(text.charAt(j))) j++;
                    String raw = text.substring(i, j);
                    if (!SAFE_WORD.matcher(raw).matches()) return new Problem(line, describe(raw));
                    words.add(new Word(raw, i, j));
                    i = j;
                }
            }
            return new Problem(line, name + "=( is never closed with )");
        }

        private String describe(String raw) {
            if (raw.contains("\r")) return name + " has a carriage return (a DOS line end), which bash reads as part of a word";
            return name + " has the word '" + raw + "', which bash would expand, split or glob (or is a syntax error)";
        }

        private static boolean isBreak(char c) {
            return c == ' ' || c == '\t' || c == '\n' || c == ')';
        }

        private Problem restOfLine() {
            int nl = text.indexOf('\n', close);
            String rest = text.substring(close + 1, nl < 0 ? text.length() : nl);
            if (rest.matches("[ \\t]*(#.*)?")) return null;
            return new Problem(line, rest.contains("\r") ? name + " ends in a carriage return (a DOS line end), which "
                    + "bash reads as more text after the )" : name + "=( ) is followed by more commands on its line");
        }
    }
}
