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

    private ModprobeConfig(String text, List<Command> commands) {
        this.text = text;
        this.commands = List.copyOf(commands);
    }

    public static ModprobeConfig parse(String text) {
        List<Command> out = new ArrayList<>();
        String[] physical = text.split("\n", -1);
        StringBuilder logical = new StringBuilder();
        int start = 0;
        for (int i = 0; i < physical.length; i++) {
            String line = physical[i];
            if (line.endsWith("\r")) line = line.substring(0, line.length() - 1);
            if (logical.length() == 0) start = i + 1;
            if (line.endsWith("\\")) {
                logical.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            logical.append(line);
            add(out, logical.toString(), start);
            logical.setLength(0);
        }
        if (logical.length() > 0) add(out, logical.toString(), start);
        return new ModprobeConfig(text, out);
    }

    private static void add(List<Command> out, String logical, int line) {
        String s = logical.strip();
        if (s.isEmpty() || s.startsWith("#")) return;
        String[] words = s.split("[ \t]+");
        out.add(new Command(words[0], List.of(words).subList(1, words.length), line));
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
        for (Command c : commands) {
            if (!c.keyword().equals("options") || c.arguments().isEmpty() || !sameModule(c.arguments().get(0), module)) continue;
            for (String word : c.arguments().subList(1, c.arguments().size())) {
                int eq = word.indexOf('=');
                if (eq <= 0 || !word.substring(0, eq).replace('-', '_').equals(option.replace('-', '_'))) continue;
                String value = unquote(word.substring(eq + 1));
                for (String v : value.split(",")) if (!v.isBlank()) values.add(v.strip());
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

    private static String unquote(String v) {
        return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
    }

    @Override
    public String toString() {
        return text;
    }
}
