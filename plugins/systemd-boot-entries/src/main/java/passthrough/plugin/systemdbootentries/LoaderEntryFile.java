package passthrough.plugin.systemdbootentries;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One Boot Loader Specification Type #1 entry ({@code loader/entries/*.conf}), read as systemd-boot reads it: lines
 * split at "\n", a key, whitespace, the value (trailing whitespace not part of it), {@code #} lines and empty lines
 * ignored, {@code options} allowed several times (their values joined with a space make the command line). The text
 * is never re-printed from the parse: an edit replaces the characters of one options value, so every other byte stays.
 */
final class LoaderEntryFile {

    /** Where systemd-boot finds Type #1 entries: the ESP (/efi, /boot/efi or /boot) and XBOOTLDR (/boot). */
    static final List<String> DIRECTORIES = List.of("boot/loader/entries/", "efi/loader/entries/", "boot/efi/loader/entries/");

    /** One {@code key value} line: 1-based number, the value and where it is written. */
    record Field(String key, String value, int line, int valueStart, int valueEnd) {
    }

    private final String path;
    private final String text;
    private final List<Field> fields;

    private LoaderEntryFile(String path, String text) {
        this.path = path;
        this.text = text;
        this.fields = parse(text);
    }

    static LoaderEntryFile of(String path, String text) {
        return new LoaderEntryFile(path, text);
    }

    static boolean isEntryPath(String path) {
        return path.endsWith(".conf") && DIRECTORIES.stream().anyMatch(d -> path.startsWith(d) && path.indexOf('/', d.length()) < 0);
    }

    private static boolean blank(char c) {
        return c == ' ' || c == '\t' || c == '\r';
    }

    private static List<Field> parse(String text) {
        List<Field> out = new ArrayList<>();
        int start = 0;
        int number = 1;
        while (start <= text.length()) {
            int newline = text.indexOf('\n', start);
            int end = newline < 0 ? text.length() : newline;
            int i = start;
            while (i < end && blank(text.charAt(i))) i++;
            if (i < end && text.charAt(i) != '#') {
                int keyStart = i;
                while (i < end && !blank(text.charAt(i))) i++;
                String key = text.substring(keyStart, i);
                while (i < end && blank(text.charAt(i))) i++;
                int valueEnd = end;
                while (valueEnd > i && blank(text.charAt(valueEnd - 1))) valueEnd--;
                out.add(new Field(key, text.substring(i, valueEnd), number, i, valueEnd));
            }
            if (newline < 0) break;
            start = newline + 1;
            number++;
        }
        return out;
    }

    String path() {
        return path;
    }

    String text() {
        return text;
    }

    /** The file name. */
    String fileName() {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** systemd-boot's entry id: the file name with a boot counter ("+3" or "+2-1" before ".conf") taken out. */
    String id() {
        return fileName().replaceFirst("\\+[0-9]+(-[0-9]+)?\\.conf$", ".conf");
    }

    /** Tries left of the boot counter in the name, or -1 when it has none. */
    int triesLeft() {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\+([0-9]+)(-[0-9]+)?\\.conf$").matcher(fileName());
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    Optional<String> value(String key) {
        String found = null;
        for (Field f : fields) if (f.key().equals(key)) found = f.value(); // a key given twice: the last wins
        return Optional.ofNullable(found);
    }

    List<Field> optionsLines() {
        return fields.stream().filter(f -> f.key().equals("options")).toList();
    }

    /** The command line this entry boots with: every options value, joined with a space. */
    String commandLine() {
        return String.join(" ", optionsLines().stream().map(Field::value).toList());
    }

    /** A Linux entry: it names a kernel ({@code linux}); {@code efi} entries start other programs. */
    boolean bootsLinux() {
        return value("linux").isPresent();
    }

    /** An entry kept as a way back: its file name or title says "fallback" (Arch's "(fallback initramfs)"). */
    boolean isFallback() {
        return fileName().toLowerCase(Locale.ROOT).contains("fallback")
                || value("title").map(t -> t.toLowerCase(Locale.ROOT).contains("fallback")).orElse(false);
    }

    /** The first line holding a NUL, or 0. */
    int nulLine() {
        int nul = text.indexOf('\0');
        return nul < 0 ? 0 : (int) text.substring(0, nul).chars().filter(c -> c == '\n').count() + 1;
    }

    /** This entry with the value of {@code options} replaced by {@code value}; nothing else changes. */
    LoaderEntryFile withOptionsValue(Field options, String value) {
        return new LoaderEntryFile(path, text.substring(0, options.valueStart()) + value + text.substring(options.valueEnd()));
    }

    /** This entry with an {@code options} line added at the end (after a line end, added only if the text lacks one). */
    LoaderEntryFile withOptionsLine(String value) {
        String separator = text.isEmpty() || text.endsWith("\n") ? "" : "\n";
        String lineEnd = text.isEmpty() || text.endsWith("\n") ? "\n" : "";
        return new LoaderEntryFile(path, text + separator + "options " + value + lineEnd);
    }
}
