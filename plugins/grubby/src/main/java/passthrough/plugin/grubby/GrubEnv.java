package passthrough.plugin.grubby;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * GRUB's environment block ({@code boot/grub2/grubenv}) as grub-editenv and GRUB's load_env read it: the first line
 * is the signature {@code # GRUB Environment Block}, then {@code name=value} lines; the block is padded to 1024 bytes
 * with {@code #}. A value keeps {@code \\} and newline escaped as {@code \\\\} and {@code \\n} (grub-core/lib/envblk.c,
 * grub_envblk_iterate, unescapes them). Only read: grubby sets kernelopts itself.
 */
final class GrubEnv {
    static final String SIGNATURE = "# GRUB Environment Block\n";

    private GrubEnv() {
    }

    /** The variables, or empty when the text is no environment block (wrong signature): GRUB then reads none. */
    static Map<String, String> parse(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        if (text == null || !text.startsWith(SIGNATURE)) return out;
        for (String line : text.substring(SIGNATURE.length()).split("\n", -1)) {
            if (line.isEmpty() || line.startsWith("#")) continue;
            int eq = line.indexOf('=');
            if (eq <= 0) continue;
            out.put(line.substring(0, eq), unescape(line.substring(eq + 1)));
        }
        return out;
    }

    private static String unescape(String v) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '\\' && i + 1 < v.length()) {
                char n = v.charAt(++i);
                sb.append(n == 'n' ? '\n' : n);
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
