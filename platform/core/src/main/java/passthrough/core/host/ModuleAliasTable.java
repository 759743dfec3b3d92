package passthrough.core.host;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The PCI part of modules.alias: which modules would claim a device, found by matching the device's
 * {@code modalias} against each module's glob, as modprobe does. Patterns are indexed by their vendor field
 * so that a host with a thousand devices is matched quickly.
 */
public final class ModuleAliasTable {
    private record Alias(String pattern, String module, int order) {
    }

    private final Map<String, List<Alias>> byVendor = new HashMap<>();
    private final List<Alias> anyVendor = new ArrayList<>();
    private final int size;

    private ModuleAliasTable(List<Alias> aliases) {
        for (Alias a : aliases) {
            String vendor = vendorField(a.pattern());
            if (vendor == null) anyVendor.add(a);
            else byVendor.computeIfAbsent(vendor, k -> new ArrayList<>()).add(a);
        }
        size = aliases.size();
    }

    public static ModuleAliasTable empty() {
        return new ModuleAliasTable(List.of());
    }

    /** Parses {@code alias <glob> <module>} lines, keeping only PCI aliases. */
    public static ModuleAliasTable parse(String text) {
        List<Alias> aliases = new ArrayList<>();
        int order = 0;
        for (String line : text.split("\n")) {
            if (!line.startsWith("alias pci:")) continue;
            String[] parts = line.trim().split("\\s+");
            if (parts.length != 3) continue;
            aliases.add(new Alias(parts[1], parts[2], order++));
        }
        return new ModuleAliasTable(aliases);
    }

    public int size() {
        return size;
    }

    /** Modules whose alias matches, in table order, each once. */
    public List<String> modulesFor(String modalias) {
        if (modalias == null || !modalias.startsWith("pci:")) return List.of();
        String vendor = vendorField(modalias);
        List<Alias> hits = new ArrayList<>();
        if (vendor != null) {
            for (Alias a : byVendor.getOrDefault(vendor, List.of())) if (Glob.matches(a.pattern(), modalias)) hits.add(a);
        }
        for (Alias a : anyVendor) if (Glob.matches(a.pattern(), modalias)) hits.add(a);
        hits.sort((x, y) -> Integer.compare(x.order(), y.order()));
        Set<String> modules = new LinkedHashSet<>();
        for (Alias a : hits) modules.add(a.module());
        return List.copyOf(modules);
    }

    /** "pci:v000010DEd..." → "000010DE"; null when the vendor field holds a wildcard. */
    private static String vendorField(String s) {
        if (s.length() < 13 || !s.startsWith("pci:v")) return null;
        String v = s.substring(5, 13);
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '*' || c == '?' || c == '[') return null;
        }
        return v.toUpperCase(Locale.ROOT);
    }

    /** fnmatch(3) subset used by modules.alias: '*', '?' and bracket classes. */
    static final class Glob {
        private Glob() {
        }

        static boolean matches(String pattern, String text) {
            return match(pattern, 0, text, 0);
        }

        private static boolean match(String p, int pi, String t, int ti) {
            while (pi < p.length()) {
                char c = p.charAt(pi);
                if (c == '*') {
                    while (pi < p.length() && p.charAt(pi) == '*') pi++;
                    if (pi == p.length()) return true;
                    for (int k = ti; k <= t.length(); k++) if (match(p, pi, t, k)) return true;
                    return false;
                }
                if (ti >= t.length()) return false;
                if (c == '?') {
                    pi++;
                    ti++;
                } else if (c == '[') {
                    int close = p.indexOf(']', pi + 2);
                    if (close < 0) {
                        if (t.charAt(ti) != '[') return false;
                        pi++;
                        ti++;
                        continue;
                    }
                    String set = p.substring(pi + 1, close);
                    boolean negate = set.startsWith("!") || set.startsWith("^");
                    if (negate) set = set.substring(1);
                    boolean in = inSet(set, t.charAt(ti));
                    if (in == negate) return false;
                    pi = close + 1;
                    ti++;
                } else {
                    if (c != t.charAt(ti)) return false;
                    pi++;
                    ti++;
                }
            }
            return ti == t.length();
        }

        private static boolean inSet(String set, char ch) {
            for (int i = 0; i < set.length(); i++) {
                if (i + 2 < set.length() && set.charAt(i + 1) == '-') {
                    if (ch >= set.charAt(i) && ch <= set.charAt(i + 2)) return true;
                    i += 2;
                } else if (set.charAt(i) == ch) {
                    return true;
                }
            }
            return false;
        }
    }
}
