package passthrough.api;

import org.pf4j.ExtensionPoint;

/**
 * "What must the VM definition add for this device or guest?" First-party: nvidia-quirks (hide KVM,
 * Hyper-V vendor id), spice-mouse (server mouse mode).
 */
public interface GuestQuirk extends ExtensionPoint, HostReads {

    /** Stable id, e.g. "nvidia-quirks". */
    String id();

    /** Whether the quirk is needed for this VM on this host. */
    boolean appliesTo(HostFacts facts, VmSpec vm);

    /** The VM with the quirk's features added. */
    VmSpec adjust(HostFacts facts, VmSpec vm);
}
