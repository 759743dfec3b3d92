package passthrough.api;

import org.pf4j.ExtensionPoint;

/**
 * "How are modules loaded early in boot here, before the drivers that would claim the reserved devices?" —
 * initramfs-tools (/etc/initramfs-tools/modules + update-initramfs), dracut, mkinitcpio, or LFS's
 * /etc/sysconfig/modules without an initramfs. Independent of the {@link BootloaderWriter}: a profile combines the
 * two. First-party: initramfs-tools, lfs-sysconfig, dracut, mkinitcpio, rpm-ostree.
 */
public interface EarlyModuleLoader extends ExtensionPoint, HostReads {

    /** Stable id, e.g. "initramfs-tools". */
    String id();

    /** Whether this host loads early modules this way (from {@link HostFacts#files()} and {@link HostFacts#commands()}). */
    boolean manages(HostFacts facts);

    /** File edits and commands (e.g. rebuilding the initramfs for the running kernel) that load the modules early. */
    Contribution load(HostFacts facts, EarlyModulesChange change);

    /** The setting names a profile may give this plugin (see {@link PluginSettings}); none by default. */
    default java.util.Set<String> settingNames() {
        return java.util.Set.of();
    }

    /** This plugin configured with a profile's settings (only names from {@link #settingNames()}); itself by default. */
    default EarlyModuleLoader withSettings(PluginSettings settings) {
        return this;
    }
}
