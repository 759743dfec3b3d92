package passthrough.plugin.grubby;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Boot Loader Specification entry ({@code boot/loader/entries/*.conf}) as Fedora's GRUB reads it with its blscfg
 * module: lines of {@code key value}, {@code #} comments; {@code options} may repeat (joined with a space). Only read:
 * grubby writes the entries, this plugin never does.
 *
 * @param path        relative to the root
 * @param version     the {@code version} line, or null
 * @param linux       the {@code linux} line, or null (an entry without one boots no Linux kernel)
 * @param options     every {@code options} value joined, variables not yet resolved
 * @param optionsLine the line of the first {@code options}, 0 when there is none
 */
record BlsEntry(String path, String version, String linux, String options, int optionsLine) {

    static final String DIRECTORY = "boot/loader/entries/";
    static final String GRUBENV = "boot/grub2/grubenv";
    private static final Pattern VARIABLE = Pattern.compile("\\$(?:\\{([A-Za-z_][A-Za-z0-9_]*)\\}|([A-Za-z_][A-Za-z0-9_]*))");

    static BlsEntry parse(String path, String text) {
        String version = null;
        String linux = null;
        List<String> options = new ArrayList<>();
        int optionsLine = 0;
        int n = 0;
        for (String line : text.split("\n", -1)) {
            n++;
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) continue;
            String[] kv = l.split("\\s+", 2);
            String value = kv.length > 1 ? kv[1].strip() : "";
            switch (kv[0]) {
                case "version" -> version = value;
                case "linux" -> linux = value;
                case "options" -> {
                    options.add(value);
                    if (optionsLine == 0) optionsLine = n;
                }
                default -> { }
            }
        }
        return new BlsEntry(path, version, linux, String.join(" ", options), optionsLine);
    }

    /** Every Linux entry under {@value #DIRECTORY}, sorted by path. */
    static List<BlsEntry> all(Map<String, String> files) {
        List<BlsEntry> out = new ArrayList<>();
        for (var e : new TreeMap<>(files).entrySet()) {
            String p = e.getKey();
            if (!p.startsWith(DIRECTORY) || !p.endsWith(".conf") || p.indexOf('/', DIRECTORY.length()) >= 0) continue;
            BlsEntry entry = parse(p, e.getValue());
            if (entry.linux() != null) out.add(entry);
        }
        return out;
    }

    /** Whether the options name a GRUB environment variable ($kernelopts on entries written before Fedora 30/RHEL 8.x). */
    boolean usesVariables() {
        return VARIABLE.matcher(options).find();
    }

    /**
     * The options with {@code $name} / {@code ${name}} replaced from grubenv, as GRUB expands them when it boots the
     * entry (an unset variable is empty).
     */
    String resolvedOptions(Map<String, String> grubenv) {
        Matcher m = VARIABLE.matcher(options);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2);
            m.appendReplacement(sb, Matcher.quoteReplacement(grubenv.getOrDefault(name, "")));
        }
        m.appendTail(sb);
        return sb.toString().strip().replaceAll("\\s+", " ");
    }

    /** Whether the options name the variable {@code name} ($name or ${name}). */
    boolean uses(String name) {
        Matcher m = VARIABLE.matcher(options);
        while (m.find()) if (name.equals(m.group(1) != null ? m.group(1) : m.group(2))) return true;
        return false;
    }

    /** The variables the options use that grubenv does not set. */
    List<String> unsetVariables(Map<String, String> grubenv) {
        List<String> out = new ArrayList<>();
        Matcher m = VARIABLE.matcher(options);
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2);
            if (!grubenv.containsKey(name)) out.add(name);
        }
        return out;
    }

    Optional<String> versionOrNull() {
        return Optional.ofNullable(version);
    }
}
