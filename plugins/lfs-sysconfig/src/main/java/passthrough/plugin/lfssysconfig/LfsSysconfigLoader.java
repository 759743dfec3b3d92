package passthrough.plugin.lfssysconfig;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.pf4j.Extension;
import passthrough.api.Contribution;
import passthrough.api.EarlyModuleLoader;
import passthrough.api.EarlyModulesChange;
import passthrough.api.FileChange;
import passthrough.api.HostFacts;
import passthrough.api.KernelModules;

/**
 * Linux From Scratch with SysV bootscripts: no initramfs, and /etc/modules is ignored (the seed's author tried it);
 * the `modules` bootscript loads what /etc/sysconfig/modules lists, early, before udev's coldplug, through modprobe
 * (so /etc/modprobe.d options and softdeps apply).
 */
@Extension
public class LfsSysconfigLoader implements EarlyModuleLoader {
    static final String MODULES = "etc/sysconfig/modules";

    @Override
    public String id() {
        return "lfs-sysconfig";
    }

    @Override
    public List<String> hostFiles() {
        return List.of(MODULES);
    }

    /**
     * LFS's modules bootscript reads /etc/sysconfig/modules (or this is LFS, which has it by the book). Which loader
     * serves a host that also has an initramfs generator is the profile's word, not this plugin's.
     */
    @Override
    public boolean manages(HostFacts facts) {
        return facts.os().id().equals("lfs") || facts.files().containsKey(MODULES);
    }

    @Override
    public Contribution load(HostFacts facts, EarlyModulesChange change) {
        String current = facts.files().get(MODULES);
        String base = current != null ? current
                : "# Begin /etc/sysconfig/modules\n# modules loaded early by the `modules` bootscript (one per line, with arguments)\n";
        Set<String> present = base.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .map(l -> KernelModules.normalize(l.split("\\s+")[0])).collect(Collectors.toSet());
        List<String> missing = change.modules().stream().filter(m -> !present.contains(KernelModules.normalize(m))).toList();
        if (missing.isEmpty()) return Contribution.of(List.of());
        StringBuilder added = new StringBuilder("# added by passthrough: load before the native drivers\n");
        for (String m : missing) added.append(m).append('\n');
        // LFS files close with "# End /etc/sysconfig/modules": keep that line last
        int end = base.lastIndexOf("# End ");
        String next = end >= 0 && (end == 0 || base.charAt(end - 1) == '\n') && base.indexOf('\n', end) >= base.length() - 1
                ? base.substring(0, end) + added + base.substring(end)
                : base + (base.endsWith("\n") ? "" : "\n") + added;
        return Contribution.of(List.of(new FileChange(MODULES, next, change.reason())));
    }
}
