package passthrough.api;

import java.util.List;
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

    /**
     * What the user should know about these devices before reserving them: called by {@code plan} for every quirk,
     * with the devices the plan would reserve. A warning here (a card that does not reset between guest boots, a
     * firmware to update first) is shown with the plan; it never stops it. Most quirks only adjust VMs: none.
     *
     * @param facts       the host as read
     * @param reservation the devices the plan reserves
     * @return findings about these devices; empty when there is nothing to say
     */
    default List<Finding> advise(HostFacts facts, Reservation reservation) {
        return List.of();
    }
}
