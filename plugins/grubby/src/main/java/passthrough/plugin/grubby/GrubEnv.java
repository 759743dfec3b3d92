package passthrough.plugin.grubby;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * GRUB's environment block ({@code boot/grub2/grubenv}) as grub-editenv and GRUB's load_env read it: the first line
 * is the signature {@code # GRUB Environment Block}, then {@code name=value} lines; the block is padded to 1024 bytes
 * with {@code #}. In a value a backslash and a newline are written with a backslash in front (seen in what the real
 * grub-editenv writes, GrubEnvOracleTest). Only read: grubby sets kernelopts itself.
 */
final class GrubEnv {
    static final String SIGNATURE = "# GRUB Environment Block\n";

    private GrubEnv() {
    }

    /** The variables, or empty when the text is no environment block (wrong signature): GRUB then reads none. */
    static Map<String, String> parse(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        if (text == null || !text.startsWith(SIGNATURE)) return out;
        // a line ends at a newline no backslash escapes; a backslash takes the next character as it is (grub-editenv
        // writes a value's "\\" as "\\\\" and its newline as "\\" + newline), as envblk.c's iterator reads it
        int i = SIGNATURE.length();
        while (i < text.length()) {
            StringBuilder line = new StringBuilder();
            boolean comment = text.charAt(i) == '#';
            while (i < text.length() && text.charAt(i) != '\n') {
                char c = text.charAt(i++);
                if (c == '\\' && i < text.length()) c = text.charAt(i++);
                line.append(c);
            }
            i++;
            if (comment) continue;
            int eq = line.indexOf("=");
            if (eq > 0) out.put(line.substring(0, eq), line.substring(eq + 1));
        }
        return out;
    }
}
