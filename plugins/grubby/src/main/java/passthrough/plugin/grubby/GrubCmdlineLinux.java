package passthrough.plugin.grubby;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GRUB_CMDLINE_LINUX in /etc/default/grub, which Fedora's grub2-mkconfig and kernel-install plugin (20-grub.install,
 * through /etc/kernel/cmdline) give the entries of kernels installed later. Only the winning (last) plain assignment
 * {@code GRUB_CMDLINE_LINUX="..."} is edited, inside its quotes; every other byte stays.
 *
 * <p>A small duplicate of what grub-debian's GrubDefaultFile does for the same file, on purpose: plugins may not depend
 * on each other (ArchUnit rule 3), and a shell-assignment editor is no concept of the api. Fedora's file is written by
 * anaconda with plain double-quoted values, so this one takes only that form and refuses the rest with file and line.
 *
 * @param text   the whole file
 * @param start  offset of the value (after the opening quote), -1 when the variable is not assigned
 * @param end    offset of the closing quote
 * @param line   the assignment's line, 0 when absent
 * @param problem why the winning assignment cannot be edited losslessly, or null
 */
record GrubCmdlineLinux(String text, int start, int end, int line, String problem) {
    static final String PATH = "etc/default/grub";
    static final String NAME = "GRUB_CMDLINE_LINUX";
    private static final Pattern ASSIGNMENT = Pattern.compile("(?m)^[ \\t]*(?:export[ \\t]+)?" + NAME + "=(.*)$");
    private static final Pattern PLAIN = Pattern.compile("\"([^\"\\\\$`]*)\"[ \\t]*(?:#.*)?");

    static GrubCmdlineLinux of(String text) {
        Matcher m = ASSIGNMENT.matcher(text);
        int valueStart = -1;
        int lineStart = -1;
        String rhs = null;
        while (m.find()) {
            valueStart = m.start(1);
            lineStart = m.start();
            rhs = m.group(1);
        }
        if (rhs == null) return new GrubCmdlineLinux(text, -1, -1, 0, null);
        int line = (int) text.substring(0, lineStart).chars().filter(c -> c == '\n').count() + 1;
        Matcher p = PLAIN.matcher(rhs);
        if (!p.matches()) {
            return new GrubCmdlineLinux(text, -1, -1, line, PATH + " line " + line + ": " + NAME + " is not a plain "
                    + "double-quoted value (quotes, $, ` or \\ inside, or single quotes), which passthrough does not "
                    + "rewrite");
        }
        return new GrubCmdlineLinux(text, valueStart + 1, valueStart + 1 + p.group(1).length(), line, null);
    }

    boolean present() {
        return line > 0;
    }

    String value() {
        return start < 0 ? "" : text.substring(start, end);
    }

    Optional<String> problemIfAny() {
        return Optional.ofNullable(problem);
    }

    /** The file with the value replaced, or the assignment appended when there is none. */
    String withValue(String value) {
        if (value.indexOf('"') >= 0 || value.indexOf('\\') >= 0 || value.indexOf('$') >= 0 || value.indexOf('`') >= 0
                || value.indexOf('\n') >= 0) {
            throw new IllegalArgumentException(PATH + ": the new " + NAME + " \"" + value + "\" holds a character the "
                    + "shell would read differently inside double quotes");
        }
        if (start >= 0) return text.substring(0, start) + value + text.substring(end);
        String sep = text.isEmpty() || text.endsWith("\n") ? "" : "\n";
        return text + sep + NAME + "=\"" + value + "\"\n";
    }
}
