package passthrough.plugin.mkinitcpio;

import java.math.BigInteger;
import java.util.Comparator;

/**
 * The order mkinitcpio reads its drop-ins in: it lists /etc/mkinitcpio.conf.d/*.conf and sorts the names with
 * {@code LC_ALL=C.UTF-8 sort -zVu} (version sort), so {@code 9-a.conf} comes before {@code 10-b.conf}. This comparator
 * is that order for the names drop-ins have: runs of digits compare as numbers, other runs byte by byte (GNU's
 * filevercmp also puts letters before other characters; names mixing both at one position may differ, and the
 * plugin's own name, {@code passthrough.conf}, starts with a letter).
 */
final class DropInOrder implements Comparator<String> {
    static final DropInOrder INSTANCE = new DropInOrder();

    @Override
    public int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            boolean da = Character.isDigit(a.charAt(i));
            boolean db = Character.isDigit(b.charAt(j));
            int ei = run(a, i, da);
            int ej = run(b, j, db);
            int c;
            if (da && db) {
                c = new BigInteger(a.substring(i, ei)).compareTo(new BigInteger(b.substring(j, ej)));
            } else if (da != db) {
                c = da ? -1 : 1;
            } else {
                c = a.substring(i, ei).compareTo(b.substring(j, ej));
            }
            if (c != 0) return c;
            i = ei;
            j = ej;
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    private static int run(String s, int from, boolean digits) {
        int k = from;
        while (k < s.length() && Character.isDigit(s.charAt(k)) == digits) k++;
        return k;
    }
}
