package passthrough.plugin.grublfs;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A grub.cfg read the way GRUB's script lexer splits it (words, '"' and '\'' quotes, '\' escapes, {@code $var},
 * '#' comments, ';' and newlines, '{' '}' blocks), to find the menu entries, the {@code set default=} commands and
 * each entry's {@code linux} line. The text itself is never re-printed from the parse: an edit replaces the
 * characters of one line's kernel arguments, so every other byte stays as it was.
 */
public final class GrubConfigFile {

    private static final Set<String> LINUX_COMMANDS = Set.of("linux", "linux16", "linuxefi");
    private static final Set<String> OPENERS = Set.of("if", "while", "until", "for");
    private static final Set<String> CLOSERS = Set.of("fi", "done");
    private static final Set<String> PREFIXES = Set.of("then", "else", "do");

    /** menuentry or submenu. */
    public enum Kind { MENUENTRY, SUBMENU }

    /** One word as GRUB reads it: where it is written, its value with quotes removed, and whether it uses $. */
    public record Word(int start, int end, String value, boolean expansion) {
    }

    /** A {@code menuentry} or {@code submenu}, with what is inside it. */
    public record Entry(Kind kind, String title, String id, int line, boolean conditional, List<Entry> children,
                        List<LinuxLine> linuxLines) {
    }

    /**
     * A {@code linux IMAGE ARGS...} command. {@code imageEnd} is where the image path ends; the arguments are written
     * in {@code [argumentsStart, argumentsEnd)} (both equal to imageEnd when there are none).
     */
    public record LinuxLine(String command, String image, String arguments, int line, int imageEnd,
                            int argumentsStart, int argumentsEnd, String problem) {
        public Optional<String> problemText() {
            return Optional.ofNullable(problem);
        }
    }

    /** A {@code set default=...} command. */
    public record SetDefault(String value, String raw, int line, boolean expansion, boolean conditional) {
    }

    private enum Type { WORD, SEPARATOR, OPEN, CLOSE }

    private record Token(Type type, Word word, int start) {
    }

    private final String path;
    private final String text;
    private final List<Entry> entries = new ArrayList<>();
    private final List<SetDefault> defaults = new ArrayList<>();
    private final List<Token> tokens = new ArrayList<>();
    private String problem;
    private int next;

    private GrubConfigFile(String path, String text) {
        this.path = path;
        this.text = text;
        tokenize();
        if (problem == null) {
            next = 0;
            block(entries, null, 0, false, -1);
        }
    }

    /** Parses the grub.cfg at {@code path} (relative to the host root; used in messages). Never fails. */
    public static GrubConfigFile parse(String path, String text) {
        return new GrubConfigFile(path, text);
    }

    public String path() {
        return path;
    }

    /** The text, byte for byte. */
    public String text() {
        return text;
    }

    /** The top-level menu entries and submenus, in order. */
    public List<Entry> entries() {
        return List.copyOf(entries);
    }

    /** Every {@code set default=} command, in order. */
    public List<SetDefault> defaults() {
        return List.copyOf(defaults);
    }

    /** Why the file could not be read as GRUB script (an open quote, unbalanced braces); empty when it could. */
    public Optional<String> problem() {
        return Optional.ofNullable(problem);
    }

    /** 1-based line of a character offset. */
    public int lineOf(int offset) {
        int line = 1;
        for (int i = 0; i < offset && i < text.length(); i++) if (text.charAt(i) == '\n') line++;
        return line;
    }

    /**
     * This file with the kernel arguments of {@code linux} replaced by {@code arguments}; nothing else changes.
     *
     * @throws IllegalArgumentException when the line has a problem, or when GRUB would not read {@code arguments}
     *                                  back as that line's arguments (a ';', '#', '{', '$', quote or line break in them
     *                                  would end the command or change the menu)
     */
    public GrubConfigFile withArguments(LinuxLine linux, String arguments) {
        if (linux.problem() != null) throw new IllegalArgumentException(path + " line " + linux.line() + ": " + linux.problem());
        GrubConfigFile edited = new GrubConfigFile(path, replaced(linux, arguments));
        // read it back: the same line with exactly these arguments, and every other word where it was
        LinuxLine back = edited.linuxLineAt(linux.line()).orElse(null);
        if (edited.problem != null || back == null || !back.arguments().equals(arguments) || back.problem() != null
                || !back.image().equals(linux.image()) || !edited.outline().equals(outline())
                || !variables(linux.arguments()).containsAll(variables(arguments))) {
            throw new IllegalArgumentException(path + " line " + linux.line() + ": GRUB would not read \"" + arguments
                    + "\" back as the arguments of this " + linux.command() + " line (GRUB script characters such as ; # { } $ "
                    + "quotes or a line break in them, or a $variable GRUB would expand), so it is not written");
        }
        return edited;
    }

    private static final java.util.regex.Pattern VARIABLE = java.util.regex.Pattern.compile("\\$(\\{[^}]*}|[A-Za-z0-9_?#@*]+)");

    /** The $variables GRUB expands in some text: an edit may keep those already there (e.g. $vt_handoff), never add one. */
    private static Set<String> variables(String text) {
        Set<String> out = new java.util.HashSet<>();
        java.util.regex.Matcher m = VARIABLE.matcher(text);
        while (m.find()) out.add(m.group());
        return out;
    }

    private Optional<LinuxLine> linuxLineAt(int line) {
        List<LinuxLine> all = new ArrayList<>();
        collectLinux(entries, all);
        return all.stream().filter(l -> l.line() == line).findFirst();
    }

    private static void collectLinux(List<Entry> entries, List<LinuxLine> out) {
        for (Entry e : entries) {
            out.addAll(e.linuxLines());
            collectLinux(e.children(), out);
        }
    }

    /** The menu and the default commands without the linux lines' arguments: what an argument edit must not change. */
    private String outline() {
        StringBuilder sb = new StringBuilder().append(defaults).append('\n');
        outline(entries, sb);
        return sb.toString();
    }

    private static void outline(List<Entry> entries, StringBuilder sb) {
        for (Entry e : entries) {
            sb.append(e.kind()).append(' ').append(e.title()).append(' ').append(e.id()).append(' ').append(e.line())
                    .append(' ').append(e.conditional()).append(" [");
            for (LinuxLine l : e.linuxLines()) sb.append(l.command()).append(' ').append(l.image()).append(' ').append(l.line()).append(';');
            sb.append("] {");
            outline(e.children(), sb);
            sb.append("}\n");
        }
    }

    private String replaced(LinuxLine linux, String arguments) {
        String out;
        if (linux.argumentsStart() == linux.argumentsEnd()) {
            out = arguments.isEmpty() ? text
                    : text.substring(0, linux.imageEnd()) + " " + arguments + text.substring(linux.imageEnd());
        } else if (arguments.isEmpty()) {
            out = text.substring(0, linux.imageEnd()) + text.substring(linux.argumentsEnd());
        } else {
            out = text.substring(0, linux.argumentsStart()) + arguments + text.substring(linux.argumentsEnd());
        }
        return out;
    }

    // ---- lexer ----

    private void tokenize() {
        int i = 0;
        int n = text.length();
        while (i < n && problem == null) {
            char c = text.charAt(i);
            if (c == ' ' || c == '\t' || c == '\r') {
                i++;
            } else if (c == '\\' && i + 1 < n && text.charAt(i + 1) == '\n') {
                i += 2; // line continuation between words
            } else if (c == '\n' || c == ';') {
                tokens.add(new Token(Type.SEPARATOR, null, i));
                i++;
            } else if (c == '#') {
                while (i < n && text.charAt(i) != '\n') i++;
            } else if (c == '{') {
                tokens.add(new Token(Type.OPEN, null, i));
                i++;
            } else if (c == '}') {
                tokens.add(new Token(Type.CLOSE, null, i));
                i++;
            } else {
                i = word(i);
            }
        }
    }

    private int word(int start) {
        int n = text.length();
        StringBuilder value = new StringBuilder();
        boolean expansion = false;
        int i = start;
        while (i < n) {
            char c = text.charAt(i);
            if (" \t\r\n;{}".indexOf(c) >= 0) break;
            if (c == '\'') {
                int close = text.indexOf('\'', i + 1);
                if (close < 0) return unclosed(i, "'");
                value.append(text, i + 1, close);
                i = close + 1;
            } else if (c == '"') {
                i++;
                while (i < n && text.charAt(i) != '"') {
                    char d = text.charAt(i);
                    if (d == '\\' && i + 1 < n) {
                        char e = text.charAt(i + 1);
                        if (e != '\n') value.append("$\"\\".indexOf(e) >= 0 ? String.valueOf(e) : "\\" + e);
                        i += 2;
                    } else {
                        if (d == '$') {
                            int end = variableEnd(i);
                            if (end > i + 1) {
                                expansion = true;
                                value.append(text, i, end);
                                i = end;
                                continue;
                            }
                        }
                        value.append(d);
                        i++;
                    }
                }
                if (i >= n) return unclosed(start, "\"");
                i++;
            } else if (c == '\\') {
                if (i + 1 < n && text.charAt(i + 1) != '\n') value.append(text.charAt(i + 1));
                i += 2;
            } else if (c == '$' && variableEnd(i) > i + 1) {
                int end = variableEnd(i);
                expansion = true;
                value.append(text, i, end);
                i = end;
            } else {
                value.append(c);
                i++;
            }
        }
        tokens.add(new Token(Type.WORD, new Word(start, Math.min(i, n), value.toString(), expansion), start));
        return i;
    }

    private int variableEnd(int dollar) {
        int n = text.length();
        int i = dollar + 1;
        if (i < n && text.charAt(i) == '{') {
            int close = text.indexOf('}', i);
            return close < 0 ? n : close + 1;
        }
        if (i < n && "?#@*".indexOf(text.charAt(i)) >= 0) return i + 1;
        while (i < n && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_')) i++;
        return i;
    }

    private int unclosed(int at, String quote) {
        problem = "the " + quote + " quote opened on line " + lineOf(at) + " is never closed";
        return text.length();
    }

    // ---- parser ----

    /**
     * Reads commands up to the matching '}' (or the end, at top level). {@code depth} counts enclosing if/loop
     * bodies and non-menu blocks: a menu entry or {@code set default} under one may or may not run.
     */
    private void block(List<Entry> into, List<LinuxLine> linuxOfEntry, int depth, boolean inBraces, int openedAt) {
        List<Word> words = new ArrayList<>();
        int conditional = depth;
        while (next < tokens.size()) {
            Token t = tokens.get(next++);
            switch (t.type()) {
                case WORD -> words.add(t.word());
                case SEPARATOR -> {
                    conditional = command(words, into, linuxOfEntry, conditional);
                    words = new ArrayList<>();
                }
                case OPEN -> {
                    opened(words, into, linuxOfEntry, conditional, t.start());
                    if (problem != null) return;
                    words = new ArrayList<>();
                }
                case CLOSE -> {
                    command(words, into, linuxOfEntry, conditional);
                    if (!inBraces) {
                        problem = "the '}' on line " + lineOf(t.start()) + " closes no block";
                    }
                    return;
                }
            }
        }
        command(words, into, linuxOfEntry, conditional);
        if (inBraces) problem = "the '{' on line " + lineOf(openedAt) + " is never closed";
    }

    private void opened(List<Word> words, List<Entry> into, List<LinuxLine> linuxOfEntry, int depth, int braceAt) {
        List<Word> w = withoutPrefixes(words);
        String first = w.isEmpty() ? "" : w.get(0).value();
        if ((first.equals("menuentry") || first.equals("submenu")) && w.size() >= 2) {
            List<Entry> children = new ArrayList<>();
            List<LinuxLine> linux = new ArrayList<>();
            block(children, linux, depth, true, braceAt);
            into.add(new Entry(first.equals("menuentry") ? Kind.MENUENTRY : Kind.SUBMENU, w.get(1).value(), id(w),
                    lineOf(w.get(0).start()), depth > 0, List.copyOf(children), List.copyOf(linux)));
        } else {
            // function bodies and other blocks: what is inside runs only sometimes
            block(new ArrayList<>(), linuxOfEntry, depth + 1, true, braceAt);
        }
    }

    private static String id(List<Word> w) {
        for (int i = 2; i + 1 < w.size(); i++) {
            String raw = w.get(i).value();
            if (raw.equals("--id") || raw.equals("$menuentry_id_option")) return w.get(i + 1).value();
        }
        return null;
    }

    private static List<Word> withoutPrefixes(List<Word> words) {
        int i = 0;
        while (i < words.size() && PREFIXES.contains(words.get(i).value())) i++;
        return words.subList(i, words.size());
    }

    /** Records one finished command; returns the conditional depth for the commands after it. */
    private int command(List<Word> words, List<Entry> into, List<LinuxLine> linuxOfEntry, int depth) {
        List<Word> w = withoutPrefixes(words);
        if (w.isEmpty()) return depth;
        String first = w.get(0).value();
        if (OPENERS.contains(first)) return depth + 1;
        if (CLOSERS.contains(first)) return Math.max(0, depth - 1);
        boolean insideEntry = linuxOfEntry != null;
        if (first.equals("set") && w.size() >= 2 && w.get(1).value().startsWith("default=")) {
            Word d = w.get(1);
            defaults.add(new SetDefault(d.value().substring("default=".length()), text.substring(d.start(), d.end()),
                    lineOf(d.start()), d.expansion(), depth > 0 || insideEntry));
        } else if (LINUX_COMMANDS.contains(first) && insideEntry) {
            linuxOfEntry.add(linuxLine(w));
        }
        return depth;
    }

    private LinuxLine linuxLine(List<Word> w) {
        int line = lineOf(w.get(0).start());
        if (w.size() < 2) {
            int end = w.get(0).end();
            return new LinuxLine(w.get(0).value(), "", "", line, end, end, end, "it names no kernel image");
        }
        Word image = w.get(1);
        int argsStart = w.size() > 2 ? w.get(2).start() : image.end();
        int argsEnd = w.size() > 2 ? w.get(w.size() - 1).end() : image.end();
        String args = text.substring(argsStart, argsEnd);
        String problem = null;
        if (text.substring(image.end(), argsEnd).indexOf('\n') >= 0) {
            problem = "its arguments go on over several lines ('\\' at the end of a line)";
        } else if (args.indexOf('\'') >= 0 || args.indexOf('\\') >= 0) {
            problem = "its arguments use GRUB quoting ('...' or \\) that passthrough does not rewrite";
        } else if (image.expansion() || text.substring(image.start(), image.end()).matches(".*['\"\\\\].*")) {
            problem = "its kernel image path is quoted or uses a variable";
        }
        return new LinuxLine(w.get(0).value(), image.value(), args, line, image.end(), argsStart, argsEnd, problem);
    }
}
