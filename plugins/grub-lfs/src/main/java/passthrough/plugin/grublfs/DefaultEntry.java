package passthrough.plugin.grublfs;

import java.util.ArrayList;
import java.util.List;
import passthrough.api.Finding;

/**
 * Which menu entry GRUB boots by default, found as GRUB does it ({@code set default=} as a number, a title, an id,
 * or a {@code submenu>entry} path; entry 0 when unset), and that entry's one {@code linux} line. Anything that
 * could make the answer a guess (a variable, a condition, several linux lines) is a refusal, never a pick.
 *
 * @param entry   the default entry, or null when refused
 * @param linux   its linux line, or null when refused
 * @param refusal why it cannot be said, or null
 */
public record DefaultEntry(GrubConfigFile.Entry entry, GrubConfigFile.LinuxLine linux, Finding refusal) {

    private static final String FIX_DEFAULT = "put one plain `set default=N` (counting entries from 0) or "
            + "`set default=\"<title>\"` at the top level of ";

    public boolean found() {
        return refusal == null;
    }

    public static DefaultEntry of(GrubConfigFile cfg) {
        String path = cfg.path();
        if (cfg.problem().isPresent()) {
            return refuse("GRUB_CFG_UNREADABLE", path + " cannot be read as GRUB script: " + cfg.problem().get(),
                    "check it with `grub-script-check /" + path + "` and correct it");
        }
        List<GrubConfigFile.SetDefault> sets = cfg.defaults();
        for (GrubConfigFile.SetDefault s : sets) {
            if (s.expansion()) {
                return refuse("GRUB_CFG_DEFAULT_VARIABLE", path + " line " + s.line() + ": `set " + s.raw()
                        + "` chooses the entry through a variable, so which entry boots is decided at boot time",
                        FIX_DEFAULT + path + " naming the entry to change, then plan again");
            }
            if (s.conditional()) {
                return refuse("GRUB_CFG_DEFAULT_CONDITIONAL", path + " line " + s.line() + ": `set " + s.raw()
                        + "` is inside an if, loop, function or menu entry, so it may or may not apply",
                        FIX_DEFAULT + path + ", then plan again");
            }
        }
        String value = sets.isEmpty() ? "0" : sets.get(sets.size() - 1).value();
        String where = sets.isEmpty() ? path + " (no `set default`, so entry 0)"
                : path + " line " + sets.get(sets.size() - 1).line() + " (default=" + value + ")";
        List<GrubConfigFile.Entry> level = cfg.entries();
        if (level.isEmpty()) {
            return refuse("GRUB_CFG_NO_ENTRY", path + " has no menu entry", "add the menuentry that boots this system");
        }
        GrubConfigFile.Entry chosen = null;
        for (String step : steps(value)) {
            chosen = null;
            if (step.matches("[0-9]+")) {
                // a number past int (default=99999999999) is simply no entry of this menu, never an exception
                int index = step.length() > 9 ? Integer.MAX_VALUE : Integer.parseInt(step);
                for (int i = 0; i < level.size() && i <= index; i++) {
                    if (level.get(i).conditional()) {
                        return refuse("GRUB_CFG_DEFAULT_AMBIGUOUS", path + " line " + level.get(i).line() + ": menu entry '"
                                + level.get(i).title() + "' exists only under a condition, so entry number " + index
                                + " of " + where + " cannot be told", "name the entry by its title: " + FIX_DEFAULT + path);
                    }
                }
                if (index < level.size()) chosen = level.get(index);
            } else {
                chosen = level.stream().filter(e -> step.equals(e.title()) || step.equals(e.id())).findFirst().orElse(null);
            }
            if (chosen == null) {
                return refuse("GRUB_CFG_DEFAULT_NOT_FOUND", where + " names no menu entry ('" + step + "' is not there)",
                        FIX_DEFAULT + path + ", then plan again");
            }
            level = chosen.children();
        }
        String name = (chosen.kind() == GrubConfigFile.Kind.SUBMENU ? "submenu '" : "menu entry '") + chosen.title()
                + "' (" + path + " line " + chosen.line() + ")";
        if (chosen.kind() == GrubConfigFile.Kind.SUBMENU) {
            return refuse("GRUB_CFG_DEFAULT_IS_SUBMENU", where + " chooses " + name + ", not an entry inside it",
                    "use `set default=\"" + chosen.title() + ">N\"` to name the entry, then plan again");
        }
        if (chosen.linuxLines().isEmpty()) {
            return refuse("GRUB_CFG_NO_LINUX_LINE", "the default " + name + " has no linux line (chainloader or "
                    + "multiboot?), so it has no kernel command line to change", "make the Linux entry the default");
        }
        if (chosen.linuxLines().size() > 1) {
            return refuse("GRUB_CFG_SEVERAL_LINUX_LINES", "the default " + name + " has " + chosen.linuxLines().size()
                    + " linux lines (lines " + chosen.linuxLines().stream().map(l -> String.valueOf(l.line())).toList()
                    + "), so which one boots depends on GRUB logic", "keep one linux line in that entry, then plan again");
        }
        GrubConfigFile.LinuxLine linux = chosen.linuxLines().get(0);
        if (linux.problem() != null) {
            return refuse("GRUB_CFG_LINUX_LINE_NOT_EDITABLE", path + " line " + linux.line() + ": the " + linux.command()
                    + " line of the default " + name + " cannot be edited safely: " + linux.problem(),
                    "write its arguments plainly on one line, or add the parameters by hand, then plan again");
        }
        return new DefaultEntry(chosen, linux, null);
    }

    /** "a>b" is a path into submenus; ">>" is a literal '>' in a title. */
    static List<String> steps(String value) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '>' && i + 1 < value.length() && value.charAt(i + 1) == '>') {
                cur.append('>');
                i++;
            } else if (c == '>') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }

    private static DefaultEntry refuse(String code, String message, String fix) {
        return new DefaultEntry(null, null, Finding.error(code, message, fix));
    }
}
