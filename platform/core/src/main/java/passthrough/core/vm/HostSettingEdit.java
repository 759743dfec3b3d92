package passthrough.core.vm;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sets {@code key = value} in a {@code key = value} configuration file such as libvirt's qemu.conf, touching
 * nothing else: the last uncommented assignment of the key is rewritten in place (its indentation kept); without
 * one, the line goes after the last commented-out assignment of the key (where the shipped file documents it), else
 * at the end, with a comment saying who added it and why.
 */
final class HostSettingEdit {
    private static final Pattern ASSIGNMENT = Pattern.compile("^(\\s*)([A-Za-z_][A-Za-z0-9_]*)\\s*=\\s*(.*?)\\s*$");
    private static final Pattern COMMENTED = Pattern.compile("^\\s*#\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*=.*$");

    private HostSettingEdit() {
    }

    /** The text with the setting, or the same text when it already has it. */
    static String set(String text, String key, String value, String why) {
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        int assigned = -1;
        int commented = -1;
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = ASSIGNMENT.matcher(lines.get(i));
            if (m.matches() && m.group(2).equals(key)) assigned = i;
            Matcher c = COMMENTED.matcher(lines.get(i));
            if (c.matches() && c.group(1).equals(key)) commented = i;
        }
        if (assigned >= 0) {
            Matcher m = ASSIGNMENT.matcher(lines.get(assigned));
            m.matches();
            if (m.group(3).equals(value)) return text;
            lines.set(assigned, m.group(1) + key + " = " + value);
            return String.join("\n", lines);
        }
        String added = "# set by passthrough: " + why.replace('\n', ' ') + "\n" + key + " = " + value;
        if (commented >= 0) {
            lines.add(commented + 1, added);
            return String.join("\n", lines);
        }
        boolean endsWithNewline = text.isEmpty() || text.endsWith("\n");
        return text + (endsWithNewline ? "" : "\n") + added + "\n";
    }
}
