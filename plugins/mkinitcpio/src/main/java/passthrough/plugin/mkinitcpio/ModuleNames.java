package passthrough.plugin.mkinitcpio;

import java.util.List;
import java.util.Set;
import passthrough.api.KernelModules;

/** Module names as mkinitcpio compares them: dashes are underscores, and a trailing {@code ?} only marks "optional". */
final class ModuleNames {
    /**
     * Drivers that mkinitcpio users load early for kernel mode setting (the Arch wiki's "early KMS start"): a reserved
     * GPU's own driver among them would bind it before vfio-pci unless the vfio modules come first in MODULES.
     */
    static final Set<String> EARLY_KMS = Set.of("nvidia", "nvidia_modeset", "nvidia_uvm", "nvidia_drm", "amdgpu", "radeon",
            "nouveau", "i915", "xe");

    private ModuleNames() {
    }

    static String normalize(String word) {
        String w = word.endsWith("?") ? word.substring(0, word.length() - 1) : word;
        return KernelModules.normalize(w);
    }

    static boolean isEarlyKms(String word) {
        return EARLY_KMS.contains(normalize(word));
    }

    static boolean contains(List<String> words, String module) {
        String m = normalize(module);
        return words.stream().anyMatch(w -> normalize(w).equals(m));
    }
}
