package passthrough.plugin.initramfstools;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.pf4j.Extension;
import passthrough.api.Change;
import passthrough.api.CommandChange;
import passthrough.api.Contribution;
import passthrough.api.EarlyModuleLoader;
import passthrough.api.EarlyModulesChange;
import passthrough.api.FileChange;
import passthrough.api.Finding;
import passthrough.api.HostFacts;
import passthrough.api.KernelModules;

/**
 * Debian/Ubuntu initramfs-tools: modules listed in /etc/initramfs-tools/modules load inside the initramfs, before
 * the root filesystem's drivers, and the initramfs copies /etc/modprobe.d, so softdeps and options apply there.
 * The list is appended to (existing bytes kept) and the initramfs of the running kernel rebuilt.
 */
@Extension
public class InitramfsToolsLoader implements EarlyModuleLoader {
    static final String MODULES = "etc/initramfs-tools/modules";

    @Override
    public String id() {
        return "initramfs-tools";
    }

    @Override
    public boolean manages(HostFacts facts) {
        return facts.hasCommand("update-initramfs") || facts.files().containsKey(MODULES);
    }

    @Override
    public Contribution load(HostFacts facts, EarlyModulesChange change) {
        String current = facts.files().getOrDefault(MODULES, "");
        Set<String> present = current.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .map(l -> KernelModules.normalize(l.split("\\s+")[0])).collect(Collectors.toSet());
        List<String> missing = change.modules().stream().filter(m -> !present.contains(KernelModules.normalize(m))).toList();
        List<Change> changes = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        if (missing.isEmpty()) return new Contribution(changes, findings);
        StringBuilder next = new StringBuilder(current);
        if (!current.isEmpty() && !current.endsWith("\n")) next.append('\n');
        next.append("# added by passthrough: load before the native drivers\n");
        for (String m : missing) next.append(m).append('\n');
        changes.add(new FileChange(MODULES, next.toString(), change.reason()));
        if (facts.kernelRelease() == null) {
            findings.add(Finding.error("KERNEL_RELEASE_UNKNOWN", "the running kernel's release is unknown, so its initramfs "
                    + "cannot be named", "run on the host itself"));
        } else if (!facts.hasCommand("update-initramfs")) {
            findings.add(Finding.error("NO_UPDATE_INITRAMFS", "usr/sbin/update-initramfs is missing, so the initramfs "
                    + "cannot be rebuilt", "apt-get install initramfs-tools"));
        } else {
            changes.add(new CommandChange(List.of("update-initramfs", "-u", "-k", facts.kernelRelease()),
                    "rebuild the initramfs of " + facts.kernelRelease() + " with the modules and modprobe.d"));
        }
        return new Contribution(changes, findings);
    }
}
