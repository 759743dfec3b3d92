package passthrough.plugin.rpmostree;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What says a host boots an ostree deployment managed by rpm-ostree, shared by this plugin's two extensions (one
 * module, so the two always agree on which hosts are theirs): rpm-ostree installed, and {@code run/ostree-booted}
 * (ostree-prepare-root writes it at every boot of a deployment) or ostree's own BLS entries
 * ({@code boot/loader/entries/ostree-N-OS.conf}, the {@code ostree=} argument in their options).
 */
final class OstreeHost {
    static final String RPM_OSTREE = "rpm-ostree";
    static final String BOOTED = "run/ostree-booted";
    static final String ENTRIES = "boot/loader/entries/";

    private OstreeHost() {
    }

    static List<String> hostFiles() {
        return List.of(BOOTED, ENTRIES + "ostree-*.conf");
    }

    static boolean isOstree(Map<String, String> files, boolean hasRpmOstree) {
        return hasRpmOstree && (files.containsKey(BOOTED) || !entries(files).isEmpty());
    }

    /** ostree's entries, sorted by name: ostree-1-... is the default (first) deployment, ostree-2-... the previous. */
    static List<Map.Entry<String, String>> entries(Map<String, String> files) {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        for (var e : new TreeMap<>(files).entrySet()) {
            String name = e.getKey().startsWith(ENTRIES) ? e.getKey().substring(ENTRIES.length()) : "";
            if (name.startsWith("ostree-") && name.endsWith(".conf") && name.indexOf('/') < 0) out.add(e);
        }
        out.sort((a, b) -> Integer.compare(index(a.getKey()), index(b.getKey())));
        return out;
    }

    private static int index(String path) {
        String[] parts = path.substring(path.lastIndexOf('/') + 1).split("-");
        try {
            return parts.length > 1 ? Integer.parseInt(parts[1]) : Integer.MAX_VALUE;
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE;
        }
    }

    /** The {@code options} of an entry (repeated lines joined), and the line of the first. */
    static String[] options(String text) {
        List<String> out = new ArrayList<>();
        int first = 0;
        int n = 0;
        for (String line : text.split("\n", -1)) {
            n++;
            String l = line.strip();
            if (l.startsWith("options ") || l.startsWith("options\t")) {
                out.add(l.substring(7).strip());
                if (first == 0) first = n;
            }
        }
        return new String[] {String.join(" ", out), Integer.toString(first)};
    }
}
