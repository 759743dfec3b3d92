package passthrough.core.host;

/**
 * Reads MemTotal from /proc/meminfo: {@code "MemTotal:       65790228 kB"} (the kernel's {@code "%8lu kB"} after the
 * padded key). The value is KiB of usable RAM; the result is whole MiB, rounded down.
 */
public final class MemInfoParser {
    private static final String KEY = "MemTotal:";

    private MemInfoParser() {
    }

    /**
     * @param text the file's text
     * @param path the file as the user should see it ({@code proc/meminfo})
     * @return MemTotal in MiB
     * @throws MalformedHostFileException when MemTotal is missing, given twice, not "NUMBER kB", zero or too large
     */
    public static long memTotalMiB(String text, String path) {
        if (text == null) throw new MalformedHostFileException(path, 0, "no text; re-read the file");
        String[] lines = text.split("\n", -1);
        Long kib = null;
        int at = 0;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (!line.startsWith(KEY)) continue;
            if (kib != null) {
                throw new MalformedHostFileException(path, i + 1, "MemTotal appears twice (first on line " + at
                        + "); the kernel writes it once: copy the file again from the host");
            }
            String rest = line.substring(KEY.length()).strip();
            if (!rest.endsWith(" kB")) {
                throw new MalformedHostFileException(path, i + 1, "expected \"MemTotal: NUMBER kB\", found '" + line + "'");
            }
            String digits = rest.substring(0, rest.length() - 3).strip();
            if (digits.isEmpty() || digits.length() > 18 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new MalformedHostFileException(path, i + 1, "MemTotal is not a decimal number of kB: '" + line + "'");
            }
            kib = Long.parseLong(digits);
            at = i + 1;
            if (kib < 1024) {
                throw new MalformedHostFileException(path, i + 1, "MemTotal is " + kib + " kB, less than 1 MiB; no "
                        + "Linux host runs in that: copy the file again from the host");
            }
        }
        if (kib == null) {
            throw new MalformedHostFileException(path, 0, "has no MemTotal line; the kernel always writes one first: "
                    + "is this /proc/meminfo?");
        }
        return kib / 1024;
    }
}
