package passthrough.plugin.qemu;

import java.util.regex.Pattern;

/** Quoting for the launch script: bash words, and QEMU's comma-separated option values inside them. */
final class Sh {

    /** Characters that mean nothing to bash in a word that is not an assignment or a glob. */
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

    private Sh() {
    }

    /**
     * {@code value} as one bash word: unchanged when it holds only plain characters, else in single quotes (a single
     * quote as {@code '\''}). Control characters are refused: a line break would split the script's one-option-a-line
     * layout and no path or command line of a VM needs one.
     *
     * @param what what the value is, for the message
     */
    static String word(String value, String what) {
        checkPrintable(value, what);
        if (!value.isEmpty() && PLAIN.matcher(value).matches()) return value;
        return "'" + value.replace("'", "'\\''") + "'";
    }

    /** A QEMU option value: a ',' inside a key=value list is written ",,". */
    static String optionValue(String value, String what) {
        checkPrintable(value, what);
        return value.replace(",", ",,");
    }

    static void checkPrintable(String value, String what) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new IllegalArgumentException(what + " '" + value.replaceAll("\\p{Cntrl}", "?") + "' holds a line break "
                        + "or another control character, which the launch script cannot pass on safely; rename it");
            }
        }
    }
}
