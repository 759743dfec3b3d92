package passthrough.plugin.mkinitcpio;

import java.util.List;
import java.util.Map;
import passthrough.api.Finding;

/**
 * The modconf hook copies /etc/modprobe.d/*.conf (and /usr/lib/modprobe.d) into the image ({@code add_full_dir
 * /etc/modprobe.d '*.conf'} in mkinitcpio's install/modconf): without it vfio-pci's ids, softdeps and the by-address
 * install line stay on the root filesystem, and the native driver wins in early boot.
 */
final class HooksCheck {
    private HooksCheck() {
    }

    /** {@code sources}: the files as mkinitcpio reads them, in order (path → text after our edit). */
    static List<Finding> check(List<Map.Entry<String, String>> sources) {
        Concatenation all = Concatenation.of(sources);
        BashArrays.Parsed p = BashArrays.parse(all.text(), "HOOKS");
        if (p.problem() != null) {
            return List.of(Finding.warning("MKINITCPIO_HOOKS_UNREAD", all.locate(p.problem().line()) + ": "
                    + p.problem().reason() + "; whether the modconf hook runs could not be checked",
                    "make sure HOOKS lists modconf"));
        }
        List<String> hooks = p.effective(List.of());
        if (hooks.contains("modconf")) return List.of();
        List<BashArrays.Assignment> assignments = p.assignments();
        String where = assignments.isEmpty() ? MkinitcpioLoader.MAIN + " (no HOOKS)"
                : all.locate(assignments.get(assignments.size() - 1).line());
        return List.of(Finding.error("MKINITCPIO_NO_MODCONF", where + ": HOOKS has no modconf, so /etc/modprobe.d (the "
                + "vfio-pci options and softdeps) would not reach the initramfs", "add modconf to HOOKS, after autodetect "
                + "(mkinitcpio's default order), then plan again"));
    }
}
