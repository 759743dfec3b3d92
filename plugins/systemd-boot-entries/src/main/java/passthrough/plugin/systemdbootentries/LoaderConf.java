package passthrough.plugin.systemdbootentries;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * systemd-boot's loader.conf ({@code ESP/loader/loader.conf}), for its {@code default} line only: a glob pattern over
 * entry ids, or {@code @saved} (the entry chosen last, kept in an EFI variable). Lines are {@code key value}, {@code #}
 * starts a comment line; a key given twice, the last wins, as systemd-boot reads the file top to bottom.
 *
 * @param path    where it was found, relative to the root
 * @param pattern the default pattern, or null when the file sets none
 */
record LoaderConf(String path, String pattern) {

    /** The ESP's loader.conf at each place the ESP is mounted (/efi, /boot/efi, /boot), in that order. */
    static final List<String> PATHS = List.of("efi/loader/loader.conf", "boot/efi/loader/loader.conf", "boot/loader/loader.conf");

    /** The first loader.conf among the host's files; empty when there is none. */
    static Optional<LoaderConf> of(Map<String, String> files) {
        for (String path : PATHS) {
            String text = files.get(path);
            if (text == null) continue;
            String pattern = null;
            for (String line : text.split("\n", -1)) {
                String l = line.strip();
                if (l.isEmpty() || l.startsWith("#")) continue;
                String[] kv = l.split("[ \t]+", 2);
                if (kv[0].equals("default")) pattern = kv.length > 1 ? kv[1] : null;
            }
            return Optional.of(new LoaderConf(path, pattern));
        }
        return Optional.empty();
    }

    /** A pattern naming entries; not {@code @saved}/{@code @menu}, which the files cannot resolve. */
    boolean namesEntries() {
        return pattern != null && !pattern.startsWith("@");
    }
}
