package passthrough.plugin.kernelcmdline;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A Boot Loader Specification entry that kernel-install or proxmox-boot-tool wrote from /etc/kernel/cmdline: only what
 * this writer compares is read (its {@code version} and its {@code options}), never edited, since the next refresh
 * rewrites it. Keys and values as the specification has them: a key, whitespace, the value; {@code #} starts a
 * comment line; {@code options} may appear more than once and the values are joined with a space.
 *
 * @param path    relative to the host root
 * @param version the {@code version} value, or null
 * @param options     the joined {@code options} values, or null when the entry has none
 * @param optionsLine the 1-based line of the first {@code options} line, 0 when there is none
 */
record GeneratedEntry(String path, String version, String options, int optionsLine) {

    /** Where kernel-install ($BOOT: /boot, /efi, /boot/efi) and a mounted ESP put Type #1 entries. */
    static final List<String> DIRECTORIES = List.of("boot/loader/entries/", "efi/loader/entries/", "boot/efi/loader/entries/");

    static GeneratedEntry parse(String path, String text) {
        String version = null;
        List<String> options = new ArrayList<>();
        int optionsLine = 0;
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i].strip();
            if (l.isEmpty() || l.startsWith("#")) continue;
            String[] keyValue = l.split("[ \t]+", 2);
            String value = keyValue.length > 1 ? keyValue[1] : "";
            if (keyValue[0].equals("version")) version = value;
            if (keyValue[0].equals("options")) {
                options.add(value);
                if (optionsLine == 0) optionsLine = i + 1;
            }
        }
        return new GeneratedEntry(path, version, options.isEmpty() ? null : String.join(" ", options), optionsLine);
    }

    /** Every entry among the host's files, by path. */
    static List<GeneratedEntry> all(Map<String, String> files) {
        Map<String, String> sorted = new TreeMap<>(files);
        List<GeneratedEntry> out = new ArrayList<>();
        sorted.forEach((path, text) -> {
            if (isEntryPath(path)) out.add(parse(path, text));
        });
        return out;
    }

    static boolean isEntryPath(String path) {
        return path.endsWith(".conf") && DIRECTORIES.stream().anyMatch(d -> path.startsWith(d) && path.indexOf('/', d.length()) < 0);
    }

    /** The file name without ".conf" and without a boot counter ("+3" or "+2-1"). */
    String id() {
        String name = path.substring(path.lastIndexOf('/') + 1, path.length() - ".conf".length());
        return name.replaceFirst("\\+[0-9]+(-[0-9]+)?$", "");
    }

    /**
     * Whether this entry boots {@code release}: its {@code version} says so, or (entries without one) its name ends in
     * "-release" as kernel-install's {@code <entry-token>-<release>.conf} and proxmox-boot-tool's
     * {@code proxmox-<release>.conf} do.
     */
    boolean boots(String release) {
        return version != null ? version.equals(release) : id().endsWith("-" + release);
    }

    /** The first entry among {@code entries} that boots {@code release} and has an options line. */
    static Optional<GeneratedEntry> of(List<GeneratedEntry> entries, String release) {
        if (release == null) return Optional.empty();
        return entries.stream().filter(e -> e.options() != null && e.boots(release)).findFirst();
    }
}
