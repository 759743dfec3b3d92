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
 *
 * <p>Proxmox VE: its docs (qm-pci-passthrough) rebuild every installed kernel's initramfs ({@code update-initramfs -u
 * -k all}), which a profile asks for with the setting {@code kernels = all}; and where proxmox-boot-tool keeps the
 * ESPs ({@code etc/kernel/proxmox-boot-uuids} exists, proxmox-boot-tool installed) the rebuilt images are copied to
 * them with {@code proxmox-boot-tool refresh}. (Proxmox's own initramfs post-update hook runs that refresh too when
 * update-initramfs is called by hand; the explicit command makes it visible in the plan and runs it on rollback.)
 */
@Extension
public class InitramfsToolsLoader implements EarlyModuleLoader {
    static final String MODULES = "etc/initramfs-tools/modules";
    static final String HOOK = "etc/initramfs-tools/hooks/passthrough";
    /** The profile setting: "running" (default) rebuilds the running kernel's initramfs, "all" every installed one. */
    static final String KERNELS = "kernels";
    static final String PROXMOX_BOOT_UUIDS = "etc/kernel/proxmox-boot-uuids";
    static final String PROXMOX_BOOT_TOOL = "proxmox-boot-tool";

    private final boolean allKernels;
    /** A kernels value the profile gave that this plugin does not know, or null: every plan says so, never guesses. */
    private final String badSetting;

    public InitramfsToolsLoader() {
        this(false, null);
    }

    private InitramfsToolsLoader(boolean allKernels, String badSetting) {
        this.allKernels = allKernels;
        this.badSetting = badSetting;
    }

    @Override
    public java.util.Set<String> settingNames() {
        return java.util.Set.of(KERNELS);
    }

    /** {@code kernels}: "all" or "running"; anything else is refused when the plan is made (see load). */
    @Override
    public EarlyModuleLoader withSettings(passthrough.api.PluginSettings settings) {
        return settings.value(KERNELS).map(String::strip).map(v -> v.equals("all") ? new InitramfsToolsLoader(true, null)
                : v.equals("running") ? new InitramfsToolsLoader(false, null) : new InitramfsToolsLoader(false, v)).orElse(this);
    }
    private static final Pattern COPY = Pattern.compile("^\\[ -e /(\\S+) \\] && copy_file ", Pattern.MULTILINE);

    @Override
    public String id() {
        return "initramfs-tools";
    }

    @Override
    public List<String> hostFiles() {
        return List.of(MODULES, HOOK, PROXMOX_BOOT_UUIDS);
    }

    @Override
    public List<String> hostCommands() {
        return List.of("update-initramfs", PROXMOX_BOOT_TOOL);
    }

    /** The tool is what counts: a leftover modules file on a host that moved to dracut does not make it ours. */
    @Override
    public boolean manages(HostFacts facts) {
        return facts.hasCommand("update-initramfs");
    }

    @Override
    public Contribution load(HostFacts facts, EarlyModulesChange change) {
        if (badSetting != null) {
            return new Contribution(List.of(), List.of(Finding.error("INITRAMFS_TOOLS_SETTING", "the profile's setting "
                    + "initramfs-tools." + KERNELS + " is \"" + badSetting + "\"; it takes \"all\" or \"running\"",
                    "fix the profile (docs/profiles.md) or choose another with --profile ID")));
        }
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
        if (facts.kernelRelease() == null && !allKernels) {
            findings.add(Finding.error("KERNEL_RELEASE_UNKNOWN", "the running kernel's release is unknown, so its initramfs "
                    + "cannot be named", "run on the host itself"));
        } else if (!facts.hasCommand("update-initramfs")) {
            findings.add(Finding.error("NO_UPDATE_INITRAMFS", "usr/sbin/update-initramfs is missing, so the initramfs "
                    + "cannot be rebuilt", "apt-get install initramfs-tools"));
        } else {
            String which = allKernels ? "all" : facts.kernelRelease();
            changes.add(new CommandChange(List.of("update-initramfs", "-u", "-k", which),
                    "rebuild the initramfs of " + (allKernels ? "every installed kernel (the profile's kernels setting)"
                            : facts.kernelRelease()) + " so it carries " + describe(missing, change.changedFiles())));
            if (facts.files().containsKey(PROXMOX_BOOT_UUIDS) && facts.hasCommand(PROXMOX_BOOT_TOOL)) {
                changes.add(new CommandChange(List.of(PROXMOX_BOOT_TOOL, "refresh"), "copy the rebuilt initramfs to the "
                        + "ESPs proxmox-boot-tool keeps (/" + PROXMOX_BOOT_UUIDS + "), which the boot loader reads"));
            }
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
