package passthrough.plugin.kernelcmdline;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import passthrough.api.CommandChange;
import passthrough.api.HostFacts;

/**
 * The command that copies /etc/kernel/cmdline into the loader entries. A profile's {@code refresh} setting wins;
 * otherwise proxmox-boot-tool where it is installed (Proxmox VE: it owns the ESPs, and kernel-install, if present, is
 * not what writes their entries), else kernel-install. A command holding {@code {release}} runs once per kernel
 * release, with the release put in: kernel-install writes one kernel's entry per call
 * ({@code kernel-install add KERNEL-VERSION KERNEL-IMAGE}); proxmox-boot-tool refreshes every kernel it keeps at once.
 *
 * @param argv       the program and its arguments, {@code {release}} not yet replaced
 * @param fromProfile whether the profile's setting chose it (said in the reason)
 */
record RefreshCommand(List<String> argv, boolean fromProfile) {

    static final String RELEASE = "{release}";
    static final String PROXMOX_BOOT_TOOL = "proxmox-boot-tool";
    static final String KERNEL_INSTALL = "kernel-install";

    RefreshCommand {
        argv = List.copyOf(argv);
    }

    /** The profile's command (split on blanks) when given, else the default for what is installed; empty: none. */
    static Optional<RefreshCommand> choose(List<String> profileSetting, HostFacts facts) {
        if (profileSetting != null) return Optional.of(new RefreshCommand(profileSetting, true));
        if (facts.hasCommand(PROXMOX_BOOT_TOOL)) return Optional.of(new RefreshCommand(List.of(PROXMOX_BOOT_TOOL, "refresh"), false));
        if (facts.hasCommand(KERNEL_INSTALL)) {
            // Debian's kernel images are /boot/vmlinuz-<release>; a distribution that keeps them elsewhere
            // (/usr/lib/modules/<release>/vmlinuz) says so in its profile's refresh setting
            return Optional.of(new RefreshCommand(List.of(KERNEL_INSTALL, "add", RELEASE, "/boot/vmlinuz-" + RELEASE), false));
        }
        return Optional.empty();
    }

    boolean perRelease() {
        return argv.stream().anyMatch(a -> a.contains(RELEASE));
    }

    boolean isProxmoxBootTool() {
        return argv.get(0).equals(PROXMOX_BOOT_TOOL) || argv.get(0).endsWith("/" + PROXMOX_BOOT_TOOL);
    }

    String program() {
        return argv.get(0);
    }

    /**
     * The commands to run: once, or once per release of {@code releases} (each with why it is in the list).
     *
     * @param releases release and why it is refreshed ("the running kernel", "has boot/loader/entries/x.conf")
     */
    List<CommandChange> commands(List<String[]> releases) {
        String source = fromProfile ? " (the profile's refresh setting)" : "";
        if (!perRelease()) {
            return List.of(new CommandChange(argv, String.join(" ", argv) + source + " copies the new "
                    + KernelCmdlineFile.PATH + " into the options line of the loader entries of every kernel it keeps, "
                    + "which the boot loader reads at the next boot"));
        }
        List<CommandChange> out = new ArrayList<>();
        for (String[] release : releases) {
            List<String> argvOf = argv.stream().map(a -> a.replace(RELEASE, release[0])).toList();
            out.add(new CommandChange(argvOf, String.join(" ", argvOf) + source + " writes the loader entry of kernel "
                    + release[0] + " (" + release[1] + ") again, with the options of the new " + KernelCmdlineFile.PATH));
        }
        return out;
    }
}
