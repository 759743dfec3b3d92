package passthrough.api;

import org.pf4j.ExtensionPoint;

/**
 * "Is this CPU/IOMMU mine, and what must the kernel command line say to turn it on?"
 * First-party: intel-vtd, amd-vi. Pure: decides from the facts alone.
 */
public interface HardwareProbe extends ExtensionPoint, HostReads {

    /** Stable id, e.g. "intel-vtd". */
    String id();

    /** Whether this host's platform is this probe's kind (normally: by CPU vendor). */
    boolean recognizes(HostFacts facts);

    /**
     * The firmware table, kernel parameters and command-line problems, judged on {@code line}: the running
     * {@code /proc/cmdline} for `check` and `verify`, the line the bootloader will give the next boot for `plan`
     * (a parameter typed once at GRUB's prompt is on the running line but not in the configuration).
     */
    IommuRequirement requirement(HostFacts facts, KernelCommandLine line);

    /** {@link #requirement(HostFacts, KernelCommandLine)} on the running kernel's command line. */
    default IommuRequirement requirement(HostFacts facts) {
        return requirement(facts, facts.commandLine());
    }
}
