package passthrough.plugin.systemdbootentries;

/**
 * The version comparison the Boot Loader Specification sorts entries with, as systemd implements it
 * (strverscmp_improved, also what bootctl and systemd-boot use): characters other than ASCII letters, digits and
 * {@code ~ - ^ .} are skipped; {@code ~} makes a string older (a pre-release); at the end of one string the plain string
 * comparison of the rests decides (more segments is newer); at a {@code -}, {@code ^} or {@code .} the string that has
 * it where the other has none is older; a digit run compares as a number (leading zeros ignored) and is newer than
 * letters; letter runs compare alphabetically, the longer newer. bootctl's own order is the test oracle
 * (BootctlOracleTest).
 */
final class VersionOrder {

    private VersionOrder() {
    }

    private static boolean digit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean letter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean versionChar(char c) {
        return digit(c) || letter(c) || c == '~' || c == '-' || c == '^' || c == '.';
    }

    private static char at(String s, int i) {
        return i < s.length() ? s.charAt(i) : '\0';
    }

    static int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (true) {
            while (i < a.length() && !versionChar(a.charAt(i))) i++;
            while (j < b.length() && !versionChar(b.charAt(j))) j++;
            if (at(a, i) == '~' || at(b, j) == '~') {
                if (at(a, i) != '~') return 1;
                if (at(b, j) != '~') return -1;
                i++;
                j++;
                continue;
            }
            if (i >= a.length() || j >= b.length()) return Integer.signum(a.substring(i).compareTo(b.substring(j)));
            for (char separator : new char[] {'-', '^', '.'}) {
                if (at(a, i) == separator || at(b, j) == separator) {
                    // the string with the separator where the other goes on is older
                    int c = Boolean.compare(at(a, i) != separator, at(b, j) != separator);
                    if (c != 0) return c;
                    i++;
                    j++;
                }
            }
            int iEnd = i;
            int jEnd = j;
            if (digit(at(a, i)) || digit(at(b, j))) {
                while (digit(at(a, iEnd))) iEnd++;
                while (digit(at(b, jEnd))) jEnd++;
                int c = Boolean.compare(iEnd > i, jEnd > j); // a number is newer than no number
                if (c != 0) return c;
                while (at(a, i) == '0' && i < iEnd) i++;
                while (at(b, j) == '0' && j < jEnd) j++;
                c = Integer.compare(iEnd - i, jEnd - j);
                if (c == 0) c = Integer.signum(a.substring(i, iEnd).compareTo(b.substring(j, jEnd)));
                if (c != 0) return c;
            } else {
                while (letter(at(a, iEnd))) iEnd++;
                while (letter(at(b, jEnd))) jEnd++;
                String x = a.substring(i, iEnd);
                String y = b.substring(j, jEnd);
                int common = Math.min(x.length(), y.length());
                int c = Integer.signum(x.substring(0, common).compareTo(y.substring(0, common)));
                if (c == 0) c = Integer.compare(x.length(), y.length());
                if (c != 0) return c;
            }
            i = iEnd;
            j = jEnd;
        }
    }
}
