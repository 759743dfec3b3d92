package passthrough.plugin.systemdbootentries;

/** The glob systemd-boot matches a {@code default} pattern with (its efi_fnmatch): {@code *}, {@code ?}, {@code [...]}, {@code \}. */
final class Glob {

    private Glob() {
    }

    static boolean matches(String pattern, String name) {
        return match(pattern, 0, name, 0);
    }

    private static boolean match(String p, int pi, String s, int si) {
        while (pi < p.length()) {
            char c = p.charAt(pi);
            if (c == '*') {
                for (int k = si; k <= s.length(); k++) if (match(p, pi + 1, s, k)) return true;
                return false;
            }
            if (si >= s.length()) return false;
            if (c == '?') {
                pi++;
                si++;
            } else if (c == '[') {
                int close = p.indexOf(']', pi + 2);
                if (close < 0) { // no class: a literal '['
                    if (s.charAt(si) != '[') return false;
                    pi++;
                    si++;
                    continue;
                }
                if (!inClass(p.substring(pi + 1, close), s.charAt(si))) return false;
                pi = close + 1;
                si++;
            } else {
                if (c == '\\' && pi + 1 < p.length()) c = p.charAt(++pi);
                if (s.charAt(si) != c) return false;
                pi++;
                si++;
            }
        }
        return si == s.length();
    }

    private static boolean inClass(String set, char c) {
        for (int k = 0; k < set.length(); k++) {
            if (k + 2 < set.length() && set.charAt(k + 1) == '-') {
                if (c >= set.charAt(k) && c <= set.charAt(k + 2)) return true;
                k += 2;
            } else if (set.charAt(k) == c) {
                return true;
            }
        }
        return false;
    }
}
