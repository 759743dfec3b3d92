package passthrough.core.profiles;

import java.util.ArrayList;
import java.util.List;

/**
 * A VERSION_ID range: {@code from} (inclusive) up to {@code before} (exclusive), either may be absent. Versions compare
 * as dotted numbers ("22.04" &lt; "22.10" &lt; "24.04", "12" &lt; "12.2"); a non-numeric part compares as text.
 */
public record VersionRange(String from, String before) {

    public boolean contains(String version) {
        if (version == null || version.isEmpty()) return from == null && before == null;
        if (from != null && compare(version, from) < 0) return false;
        return before == null || compare(version, before) < 0;
    }

    /** Whether some version lies in both ranges. */
    public boolean overlaps(VersionRange other) {
        String lo = max(from, other.from);
        String hi = min(before, other.before);
        return lo == null || hi == null || compare(lo, hi) < 0;
    }

    public static int compare(String a, String b) {
        List<String> x = parts(a);
        List<String> y = parts(b);
        for (int i = 0; i < Math.max(x.size(), y.size()); i++) {
            String p = i < x.size() ? x.get(i) : "0";
            String q = i < y.size() ? y.get(i) : "0";
            int c = p.matches("\\d{1,9}") && q.matches("\\d{1,9}")
                    ? Integer.compare(Integer.parseInt(p), Integer.parseInt(q)) : p.compareTo(q);
            if (c != 0) return c;
        }
        return 0;
    }

    private static List<String> parts(String v) {
        return new ArrayList<>(List.of(v.split("\\.", -1)));
    }

    private static String max(String a, String b) {
        if (a == null) return b;
        if (b == null) return a;
        return compare(a, b) >= 0 ? a : b;
    }

    private static String min(String a, String b) {
        if (a == null) return b;
        if (b == null) return a;
        return compare(a, b) <= 0 ? a : b;
    }

    /** "VERSION_ID 12 to <13" style, for tables. */
    public String toStringShort() {
        if (from == null && before == null) return "";
        return "VERSION_ID " + (from == null ? "" : ">=" + from) + (from != null && before != null ? " " : "")
                + (before == null ? "" : "<" + before);
    }

    @Override
    public String toString() {
        if (from == null && before == null) return "any version";
        if (before == null) return from + " and later";
        if (from == null) return "before " + before;
        return from + " up to (not including) " + before;
    }
}
