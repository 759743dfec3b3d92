package passthrough.plugin.grubdebian;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What grub-mkconfig sources, in its order: {@code etc/default/grub}, then every {@code etc/default/grub.d/*.cfg}
 * in name order, each later assignment winning over the earlier ones.
 */
public final class GrubDefaults {

    public static final String MAIN = "etc/default/grub";
    public static final String DROP_IN_DIR = "etc/default/grub.d/";
    public static final String LINUX = "GRUB_CMDLINE_LINUX";
    public static final String LINUX_DEFAULT = "GRUB_CMDLINE_LINUX_DEFAULT";

    /** One assignment and the file it is in. */
    public record Located(GrubDefaultFile file, GrubDefaultFile.Assignment assignment) {
        public String where() {
            return file.path() + " line " + assignment.line();
        }
    }

    private final List<GrubDefaultFile> files;
    private final Map<String, String> values = new HashMap<>();

    private GrubDefaults(List<GrubDefaultFile> files) {
        this.files = List.copyOf(files);
        for (GrubDefaultFile f : this.files) {
            for (GrubDefaultFile.Assignment a : f.assignments()) values.put(a.name(), a.evaluate(values::get));
        }
    }

    /** The files among {@code files} (text by root-relative path) that grub-mkconfig sources, in its order. */
    public static GrubDefaults of(Map<String, String> files) {
        List<GrubDefaultFile> out = new ArrayList<>();
        String main = files.get(MAIN);
        if (main != null) out.add(GrubDefaultFile.parse(MAIN, main));
        files.keySet().stream()
                .filter(p -> p.startsWith(DROP_IN_DIR) && p.endsWith(".cfg") && p.indexOf('/', DROP_IN_DIR.length()) < 0)
                .sorted()
                .forEach(p -> out.add(GrubDefaultFile.parse(p, files.get(p))));
        return new GrubDefaults(out);
    }

    public List<GrubDefaultFile> files() {
        return files;
    }

    /** The value a variable has after all files are sourced, "" when never set. */
    public String value(String name) {
        return values.getOrDefault(name, "");
    }

    /** Every assignment of {@code name}, in the order the shell runs them. */
    public List<Located> assignmentsOf(String name) {
        List<Located> out = new ArrayList<>();
        for (GrubDefaultFile f : files) for (GrubDefaultFile.Assignment a : f.assignmentsOf(name)) out.add(new Located(f, a));
        return out;
    }

    /** The assignment that decides the variable's value: the last one run. */
    public Optional<Located> effective(String name) {
        List<Located> all = assignmentsOf(name);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /** The default entry's arguments as 10_linux writes them: GRUB_CMDLINE_LINUX then GRUB_CMDLINE_LINUX_DEFAULT. */
    public String commandLine() {
        String linux = value(LINUX);
        String linuxDefault = value(LINUX_DEFAULT);
        if (linux.isEmpty()) return linuxDefault;
        if (linuxDefault.isEmpty()) return linux;
        return linux + " " + linuxDefault;
    }
}
