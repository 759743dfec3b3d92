package passthrough.core.host;

import java.util.OptionalInt;

/** Parses sysfs attribute values such as {@code 0x10de\n}; garbage yields empty, never an exception. */
public final class SysfsValues {
    private SysfsValues() {
    }

    /** A hex number with or without 0x, surrounded by optional whitespace, of at most {@code maxDigits} digits. */
    public static OptionalInt hex(String text, int maxDigits) {
        if (text == null) return OptionalInt.empty();
        String s = text.strip();
        if (s.startsWith("0x") || s.startsWith("0X")) s = s.substring(2);
        if (s.isEmpty() || s.length() > maxDigits) return OptionalInt.empty();
        for (int i = 0; i < s.length(); i++) {
            if (Character.digit(s.charAt(i), 16) < 0) return OptionalInt.empty();
        }
        return OptionalInt.of(Integer.parseInt(s, 16));
    }

    /** A decimal integer, e.g. boot_vga's "1". */
    public static OptionalInt decimal(String text) {
        if (text == null) return OptionalInt.empty();
        String s = text.strip();
        if (s.isEmpty() || s.length() > 9 || !s.chars().allMatch(Character::isDigit)) return OptionalInt.empty();
        return OptionalInt.of(Integer.parseInt(s));
    }
}
