package passthrough.core.host;

import java.util.OptionalInt;

/**
 * Parses sysfs attribute values such as {@code 0x10de\n}; garbage yields empty, never an exception. The kernel writes
 * these in ASCII, so only ASCII digits and blanks count: Java's Unicode-aware helpers would read a fullwidth 'Ａ1'
 * as 0xa1.
 */
public final class SysfsValues {
    private SysfsValues() {
    }

    /** A hex number with or without 0x, surrounded by optional blanks, of at most {@code maxDigits} digits. */
    public static OptionalInt hex(String text, int maxDigits) {
        if (text == null) return OptionalInt.empty();
        String s = stripAscii(text);
        if (s.startsWith("0x") || s.startsWith("0X")) s = s.substring(2);
        if (s.isEmpty() || s.length() > maxDigits) return OptionalInt.empty();
        long value = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (d < 0) return OptionalInt.empty();
            value = value * 16 + d;
            if (value > Integer.MAX_VALUE) return OptionalInt.empty();
        }
        return OptionalInt.of((int) value);
    }

    /** A decimal integer, e.g. boot_vga's "1". */
    public static OptionalInt decimal(String text) {
        if (text == null) return OptionalInt.empty();
        String s = stripAscii(text);
        if (s.isEmpty() || s.length() > 9 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) return OptionalInt.empty();
        return OptionalInt.of(Integer.parseInt(s));
    }

    /** Without leading and trailing space, \t, \n, \v, \f, \r. */
    private static String stripAscii(String text) {
        int from = 0;
        int to = text.length();
        while (from < to && isBlank(text.charAt(from))) from++;
        while (to > from && isBlank(text.charAt(to - 1))) to--;
        return text.substring(from, to);
    }

    private static boolean isBlank(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }
}
