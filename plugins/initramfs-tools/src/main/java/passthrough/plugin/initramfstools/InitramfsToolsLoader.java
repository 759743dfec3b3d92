package passthrough.plugin.initramfstools;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * the root filesystem's drivers, and mkinitramfs copies /etc/modprobe.d, so softdeps and options apply there.
 * Other files the modprobe.d configuration runs (the by-address script) are copied by a hook of ours. The list is
 * appended to (existing bytes kept), and the initramfs of the running kernel is rebuilt whenever anything it
 * carries changes — a new module, a changed modprobe.d file, a changed script.
 */
@Extension
public class InitramfsToolsLoader implements EarlyModuleLoader {
    static final String MODULES = "etc/initramfs-tools/modules";
    static final String HOOK = "etc/initramfs-tools/hooks/passthrough";
    private static final Pattern COPY = Pattern.compile("^\\[ -e /(\\S+) \\] && copy_file ", Pattern.MULTILINE);

    @Override
    public String id() {
        return "initramfs-tools";
    }

    @Override
    public List<String> hostFiles() {
        return List.of(MODULES, HOOK);
    }

    @Override
    public List<String> hostCommands() {
        return List.of("update-initramfs");
    }

    /** The tool is what counts: a leftover modules file on a host that moved to dracut does not make it ours. */
    @Override
    public boolean manages(HostFacts facts) {
        return facts.hasCommand("update-initramfs");
    }

    @Override
    public Contribution load(HostFacts facts, EarlyModulesChange change) {
        List<Change> changes = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        String current = facts.files().getOrDefault(MODULES, "");
        Set<String> present = current.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .map(l -> KernelModules.normalize(l.split("\\s+")[0])).collect(Collectors.toSet());
        List<String> missing = change.modules().stream().filter(m -> !present.contains(KernelModules.normalize(m))).toList();
        if (!missing.isEmpty()) {
            StringBuilder next = new StringBuilder(current);
            if (!current.isEmpty() && !current.endsWith("\n")) next.append('\n');
            next.append("# added by passthrough: load before the native drivers\n");
            for (String m : missing) next.append(m).append('\n');
            changes.add(new FileChange(MODULES, next.toString(), change.reason()));
        }
        // the hook only ever grows: its copies are guarded by [ -e ], so a file it names that is gone costs nothing,
        // and rollback removes the hook with the rest
        String currentHook = facts.files().get(HOOK);
        Set<String> hooked = new LinkedHashSet<>(copiedBy(currentHook));
        if (hooked.addAll(change.extraFiles())) {
            changes.add(new FileChange(HOOK, hook(List.copyOf(hooked)), "copy " + String.join(", ", change.extraFiles())
                    + " into the initramfs, where modprobe runs it", true));
        }
        if (changes.isEmpty() && change.changedFiles().isEmpty()) return new Contribution(changes, findings);
        if (facts.kernelRelease() == null) {
            findings.add(Finding.error("KERNEL_RELEASE_UNKNOWN", "the running kernel's release is unknown, so its initramfs "
                    + "cannot be named", "run on the host itself"));
        } else if (!facts.hasCommand("update-initramfs")) {
            findings.add(Finding.error("NO_UPDATE_INITRAMFS", "usr/sbin/update-initramfs is missing, so the initramfs "
                    + "cannot be rebuilt", "apt-get install initramfs-tools"));
        } else {
            changes.add(new CommandChange(List.of("update-initramfs", "-u", "-k", facts.kernelRelease()),
                    "rebuild the initramfs of " + facts.kernelRelease() + " so it carries "
                            + describe(missing, change.changedFiles())));
        }
        return new Contribution(changes, findings);
    }

    /** An initramfs-tools hook (run by mkinitramfs with the hook-functions library) copying the extra files. */
    static String hook(List<String> files) {
        StringBuilder sb = new StringBuilder("""
                #!/bin/sh
                # Written by passthrough: copy the files that /etc/modprobe.d/passthrough-*.conf runs into the
                # initramfs; remove with `passthrough rollback`.
                PREREQ=""
                prereqs() { echo "$PREREQ"; }
                case "$1" in prereqs) prereqs; exit 0;; esac
                . /usr/share/initramfs-tools/hook-functions
                """);
        for (String f : files) {
            sb.append("[ -e /").append(f).append(" ] && copy_file passthrough /").append(f).append(" /").append(f).append('\n');
        }
        sb.append("exit 0\n");
        return sb.toString();
    }

    /** The files an earlier hook of ours copies. */
    static List<String> copiedBy(String hook) {
        if (hook == null) return List.of();
        List<String> out = new ArrayList<>();
        Matcher m = COPY.matcher(hook);
        while (m.find()) out.add(m.group(1));
        return out;
    }

    private static String describe(List<String> modules, List<String> files) {
        List<String> parts = new ArrayList<>();
        if (!modules.isEmpty()) parts.add("the modules " + String.join(", ", modules));
        if (!files.isEmpty()) parts.add("the changed " + files.stream().map(f -> "/" + f).collect(Collectors.joining(", ")));
        return parts.isEmpty() ? "the new configuration" : String.join(" and ", parts);
    }
}
