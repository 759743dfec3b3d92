package passthrough.plugin.systemdbootentries;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Which entry systemd-boot boots when nobody chooses, from the files alone.
 *
 * <p>The menu order is the Boot Loader Specification's (UAPI.1 "Sorting", as systemd-boot implements it): entries
 * whose boot counter says no tries are left go last; entries with a {@code sort-key} come before those without, and
 * among them by sort-key (increasing), then {@code machine-id} (increasing), then {@code version} (decreasing version
 * order, newest first); after that, and between entries without a sort-key, by entry id in decreasing version order.
 * The default is the first entry in that order whose id matches loader.conf's {@code default} glob (the id is the file
 * name with ".conf", as loader.conf(5) says; the name without ".conf" is matched too, as older systemd-boot did), else
 * the first entry. Not visible in files, so not followed: the {@code LoaderEntryDefault} EFI variable that
 * {@code bootctl set-default} or the menu sets (it wins over loader.conf), {@code @saved}, and Type #2 unified kernel
 * images in EFI/Linux/.
 *
 * @param entry the default entry
 * @param why   how it was chosen, for messages
 */
record DefaultEntry(LoaderEntryFile entry, String why) {

    /** The menu order described above. */
    static final Comparator<LoaderEntryFile> MENU_ORDER = (a, b) -> {
        int c = Boolean.compare(a.triesLeft() == 0, b.triesLeft() == 0);
        if (c != 0) return c;
        Optional<String> ak = a.value("sort-key");
        Optional<String> bk = b.value("sort-key");
        c = Boolean.compare(ak.isEmpty(), bk.isEmpty());
        if (c != 0) return c;
        if (ak.isPresent()) {
            c = ak.get().compareTo(bk.get());
            if (c == 0) c = a.value("machine-id").orElse("").compareTo(b.value("machine-id").orElse(""));
            if (c == 0) c = -VersionOrder.compare(a.value("version").orElse(""), b.value("version").orElse(""));
            if (c != 0) return c;
        }
        return -VersionOrder.compare(a.id(), b.id());
    };

    static List<LoaderEntryFile> menuOrder(List<LoaderEntryFile> entries) {
        List<LoaderEntryFile> sorted = new ArrayList<>(entries);
        sorted.sort(MENU_ORDER);
        return sorted;
    }

    /** The default among {@code entries}; empty when there are none. */
    static Optional<DefaultEntry> of(List<LoaderEntryFile> entries, Optional<LoaderConf> loaderConf) {
        List<LoaderEntryFile> menu = menuOrder(entries);
        if (menu.isEmpty()) return Optional.empty();
        if (loaderConf.isPresent() && loaderConf.get().namesEntries()) {
            String pattern = loaderConf.get().pattern();
            for (LoaderEntryFile e : menu) {
                String id = e.id();
                if (Glob.matches(pattern, id) || Glob.matches(pattern, id.substring(0, id.length() - ".conf".length()))) {
                    return Optional.of(new DefaultEntry(e, "`default " + pattern + "` in " + loaderConf.get().path()));
                }
            }
        }
        String why = loaderConf.map(l -> l.pattern() == null ? l.path() + " names no default"
                : l.namesEntries() ? "`default " + l.pattern() + "` in " + l.path() + " matches no entry"
                : "`default " + l.pattern() + "` in " + l.path() + " is decided at boot").orElse("no loader.conf");
        return Optional.of(new DefaultEntry(menu.get(0), why + ", so the first entry in systemd-boot's order"));
    }
}
