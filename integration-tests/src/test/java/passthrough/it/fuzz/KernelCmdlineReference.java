package passthrough.it.fuzz;

import java.util.ArrayList;
import java.util.List;

/**
 * The kernel's own reading of a command line, ported line by line from lib/cmdline.c {@code next_arg} and the loop
 * of kernel/params.c {@code parse_args} (Linux 6.x), as the oracle for {@code KernelCommandLine}.
 */
final class KernelCmdlineReference {
    /** One parameter as the kernel hands it to its handlers; value null for a bare flag. */
    record Param(String name, String value) {
    }

    /** The parameters, and the text after a bare "--" (for init), or null when there is none. */
    record Parsed(List<Param> params, String init) {
    }

    private KernelCmdlineReference() {
    }

    /** lib/ctype.c: the C locale's isspace (the kernel's table also has 0xA0, which UTF-8 text never holds alone). */
    static boolean isspace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }

    static Parsed parse(String cmdline) {
        char[] a = (cmdline + "\0").toCharArray();
        int args = skipSpaces(a, 0);
        List<Param> out = new ArrayList<>();
        while (a[args] != 0) {
            // next_arg(args, &param, &val)
            int equals = 0;
            boolean inQuote = false;
            boolean quoted = false;
            if (a[args] == '"') {
                args++;
                inQuote = true;
                quoted = true;
            }
            int i;
            for (i = 0; a[args + i] != 0; i++) {
                if (isspace(a[args + i]) && !inQuote) break;
                if (equals == 0 && a[args + i] == '=') equals = i;
                if (a[args + i] == '"') inQuote = !inQuote;
            }
            int param = args;
            int val = -1;
            if (equals != 0) {
                a[args + equals] = 0;
                val = args + equals + 1;
                if (a[val] == '"') {
                    val++;
                    if (a[args + i - 1] == '"') a[args + i - 1] = 0;
                }
            }
            if (quoted && i > 0 && a[args + i - 1] == '"') a[args + i - 1] = 0;
            int next;
            if (a[args + i] != 0) {
                a[args + i] = 0;
                next = args + i + 1;
            } else {
                next = args + i;
            }
            String name = string(a, param);
            String value = val < 0 ? null : string(a, val);
            // parse_args: a bare "--" ends the kernel's part; the rest goes to init
            if (value == null && name.equals("--")) {
                return new Parsed(out, cmdline.substring(Math.min(cmdline.length(), next)));
            }
            out.add(new Param(name, value));
            args = skipSpaces(a, next);
        }
        return new Parsed(out, null);
    }

    private static int skipSpaces(char[] a, int i) {
        while (a[i] != 0 && isspace(a[i])) i++;
        return i;
    }

    private static String string(char[] a, int from) {
        int end = from;
        while (a[end] != 0) end++;
        return new String(a, from, end - from);
    }
}
