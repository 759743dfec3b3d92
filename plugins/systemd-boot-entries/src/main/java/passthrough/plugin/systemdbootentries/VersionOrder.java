package passthrough.plugin.systemdbootentries;

/**
 * The version comparison the Boot Loader Specification asks for when sorting entries ("version sort", as systemd's
 * strverscmp_improved): the strings are compared run by run; a run of digits compares as a number, a run of letters
 * alphabetically, a number is newer than letters, {@code ~} is older than anything (even the end), other characters
 * only separate runs. Enough for kernel releases and entry file names; not a port of every corner of systemd's.
 */
final class VersionOrder {

    private VersionOrder() {
    }

    static int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (true) {
            // separators other than '~' carry no order
            while (i < a.length() && separator(a.charAt(i))) i++;
            while (j < b.length() && separator(b.charAt(j))) j++;
            boolean aTilde = i < a.length() && a.charAt(i) == '~';
            boolean bTilde = j < b.length() && b.charAt(j) == '~';
            if (aTilde || bTilde) {
                if (!bTilde) return -1;
                if (!aTilde) return 1;
                i++;
                j++;
                continue;
            }
            if (i >= a.length() || j >= b.length()) return Boolean.compare(i < a.length(), j < b.length());
            boolean aDigit = Character.isDigit(a.charAt(i));
            boolean bDigit = Character.isDigit(b.charAt(j));
            if (aDigit != bDigit) return aDigit ? 1 : -1;
            int iEnd = runEnd(a, i, aDigit);
            int jEnd = runEnd(b, j, bDigit);
            String x = a.substring(i, iEnd);
            String y = b.substring(j, jEnd);
            int c;
            if (aDigit) {
                x = x.replaceFirst("^0+(?=.)", "");
                y = y.replaceFirst("^0+(?=.)", "");
                c = x.length() != y.length() ? Integer.compare(x.length(), y.length()) : x.compareTo(y);
            } else {
                c = x.compareTo(y);
            }
            if (c != 0) return c;
            i = iEnd;
            j = jEnd;
        }
    }

    private static boolean separator(char c) {
        return !Character.isLetterOrDigit(c) && c != '~';
    }

    private static int runEnd(String s, int from, boolean digits) {
        int k = from;
        while (k < s.length() && (digits ? Character.isDigit(s.charAt(k)) : Character.isLetter(s.charAt(k)))) k++;
        return k;
    }
}
