package passthrough.api;

import org.pf4j.ExtensionPoint;

/**
 * "Is this CPU/IOMMU mine, and what must the kernel command line say to turn it on?"
 * First-party: intel-vtd, amd-vi. Pure: decides from the facts alone.
 */
public interface HardwareProbe extends ExtensionPoint {

    /** Stable id, e.g. "intel-vtd". */
    String id();

    /** Whether this host's platform is this probe's kind (normally: by CPU vendor). */
    boolean recognizes(HostFacts facts);

    /** The firmware table, kernel parameters and command-line problems for this host. */
    IommuRequirement requirement(HostFacts facts);
}
