package passthrough.api;

import org.pf4j.ExtensionPoint;

/**
 * "How is the kernel command line changed and regenerated here?" — /etc/default/grub + update-grub, a hand-kept
 * grub.cfg, /etc/kernel/cmdline, grubby, kernelstub. First-party: grub-debian, grub-lfs, kernel-cmdline,
 * systemd-boot-entries, grubby, kernelstub, rpm-ostree.
 */
public interface BootloaderWriter extends ExtensionPoint, HostReads {

    /** Stable id, e.g. "grub-debian". */
    String id();

    /** Whether this host's boot configuration is of this writer's kind (from {@link HostFacts#files()}). */
    boolean manages(HostFacts facts);

    /** The command line the next boot will use, as the configuration says now. */
    KernelCommandLine configuredCommandLine(HostFacts facts);

    /** File edits and commands that make the next boot use the changed command line. */
    Contribution change(HostFacts facts, KernelParametersChange change);

    /** The setting names a profile may give this plugin (see {@link PluginSettings}); none by default. */
    default java.util.Set<String> settingNames() {
        return java.util.Set.of();
    }

    /** This plugin configured with a profile's settings (only names from {@link #settingNames()}); itself by default. */
    default BootloaderWriter withSettings(PluginSettings settings) {
        return this;
    }
}
