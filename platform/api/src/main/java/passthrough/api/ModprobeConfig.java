package passthrough.api;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A modprobe.d file read the way kmod reads it: a line ending in a backslash continues on the next line, a line
 * whose first non-blank character is {@code #} is a comment, words are separated by blanks. The text is kept as
 * it was ({@link #text()}), so reading a file never changes it; the queries answer what the binding plugins need
 * to know about their own and other files.
 */
public final class ModprobeConfig {
    private final String text;
    private final List<Command> commands;

    /**
     * One logical line.
     *
     * @param keyword   options, softdep, install, blacklist, alias, remove, softdep, ... (as written)
     * @param arguments the words after the keyword
     * @param line      1-based number of the physical line it starts on
     */
    public record Command(String keyword, List<String> arguments, int line) {
        public Command {
            arguments = List.copyOf(arguments);
        }
    }

    /** Per command, the text after its first argument as written: what an options line hands the module. */
    private final List<String> rests;

    private ModprobeConfig(String text, List<Command> commands, List<String> rests) {
        this.text = text;
        this.commands = List.copyOf(commands);
        this.rests = List.copyOf(rests);
    }

    public static ModprobeConfig parse(String text) {
        // as kmod's freadline_wrapped: '\\' + newline joins two lines with nothing between them, '\\' + any other
        // character stands for that character, and nothing else is special (a CR stays part of the line, as for kmod)
        List<Command> out = new ArrayList<>();
        List<String> rests = new ArrayList<>();
        StringBuilder logical = new StringBuilder();
        int physical = 1;
        int start = 1;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                add(out, rests, logical.toString(), start);
                logical.setLength(0);
                start = ++physical;
            } else if (c == '\\') {
                if (i + 1 >= text.length()) break;
                char next = text.charAt(++i);
                if (next == '\n') physical++;
                else logical.append(next);
            } else {
                logical.append(c);
            }
        }
        if (logical.length() > 0) add(out, rests, logical.toString(), start);
        return new ModprobeConfig(text, out, rests);
    }

    private static void add(List<Command> out, List<String> rests, String logical, int line) {
        // kmod splits words at blanks and tabs only; a first word starting with '#' is a comment (kmod ignores it as
        // an unknown command when the '#' is not in the first column, which comes to the same)
        List<String> words = new ArrayList<>();
        for (String w : logical.split("[ \t]+")) if (!w.isEmpty()) words.add(w);
        if (words.isEmpty() || words.get(0).startsWith("#")) return;
        out.add(new Command(words.get(0), words.subList(1, words.size()), line));
        // kmod's strtok_r(NULL, "\0") after the keyword and the module name: the rest of the line as written
        String rest = "";
        if (words.size() >= 2) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("^[ \t]*[^ \t]+[ \t]+[^ \t]+[ \t]?").matcher(logical);
            if (m.find()) rest = logical.substring(m.end());
        }
        rests.add(rest);
    }

    /** The file exactly as read. */
    public String text() {
        return text;
    }

    public List<Command> commands() {
        return commands;
    }

    /**
     * Every value of {@code option} in {@code options <module> ...} lines, in file order, comma lists split:
     * {@code optionValues("vfio-pci", "ids")} gives {@code [10de:1e37, 10de:10f7]}. Module names compare as the
     * kernel compares them ('-' equals '_').
     */
    public List<String> optionValues(String module, String option) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < commands.size(); i++) {
            Command c = commands.get(i);
            if (!c.keyword().equals("options") || c.arguments().isEmpty() || !sameModule(c.arguments().get(0), module)) continue;
            // the kernel reads module options with parse_args, as the command line: quotes group, blanks separate
            for (String[] nameValue : KernelCommandLine.kernelArguments(rests.get(i))) {
                if (nameValue[1] == null || !nameValue[0].replace('-', '_').equals(option.replace('-', '_'))) continue;
                for (String v : nameValue[1].split(",")) if (!v.isBlank()) values.add(v.strip());
            }
        }
        return values;
    }

    /** The modules that name {@code module} among their {@code pre:} soft dependencies, normalized. */
    public Set<String> modulesLoadedAfter(String module) {
        Set<String> out = new LinkedHashSet<>();
        for (Command c : commands) {
            if (!c.keyword().equals("softdep") || c.arguments().size() < 2) continue;
            boolean pre = false;
            for (String word : c.arguments().subList(1, c.arguments().size())) {
                if (word.equals("pre:")) pre = true;
                else if (word.equals("post:")) pre = false;
                else if (pre && sameModule(word, module)) out.add(KernelModules.normalize(c.arguments().get(0)));
            }
        }
        return out;
    }

    /** Whether an {@code install <module> ...} line replaces how {@code module} is loaded. */
    public boolean hasInstallCommand(String module) {
        return commands.stream().anyMatch(c -> c.keyword().equals("install") && !c.arguments().isEmpty()
                && sameModule(c.arguments().get(0), module));
    }

    private static boolean sameModule(String a, String b) {
        return KernelModules.normalize(a).equals(KernelModules.normalize(b));
    }

    @Override
    public String toString() {
        return text;
    }
}
