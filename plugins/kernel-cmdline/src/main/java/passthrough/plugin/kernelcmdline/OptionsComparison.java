package passthrough.plugin.kernelcmdline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Whether a generated entry's options are what a refresh would write from /etc/kernel/cmdline now. kernel-install's
 * 90-loaderentry.install squeezes every run of blanks and newlines to one space ({@code tr -s "$IFS" ' '}), drops one
 * trailing space, and appends {@code systemd.machine_id=<id>} when the entries are named after the machine id and the
 * file does not set it; proxmox-boot-tool copies the line. So words are compared, and a machine id the entry has and
 * the file lacks is not a difference.
 */
final class OptionsComparison {

    private static final String MACHINE_ID = "systemd.machine_id=";

    private OptionsComparison() {
    }

    static List<String> words(String text) {
        return Arrays.stream(text.split("[ \t\n\u000b\f\r]+")).filter(w -> !w.isEmpty()).toList();
    }

    /** Whether {@code entryOptions} is what a refresh would write from {@code fileLine}. */
    static boolean sameAsRefreshWouldWrite(String fileLine, String entryOptions) {
        List<String> file = words(fileLine);
        List<String> entry = new ArrayList<>(words(entryOptions));
        if (file.stream().noneMatch(w -> w.startsWith(MACHINE_ID)) && !entry.isEmpty()
                && entry.get(entry.size() - 1).startsWith(MACHINE_ID)) {
            entry.remove(entry.size() - 1);
        }
        return file.equals(entry);
    }
}
