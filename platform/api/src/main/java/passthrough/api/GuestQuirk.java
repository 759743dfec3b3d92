package passthrough.api;

import java.util.List;
import org.pf4j.ExtensionPoint;

/**
 * "What must the VM definition add for these devices or this guest?" First-party: nvidia (hide KVM, Hyper-V vendor
 * id, KVM's interrupt controller), spice-mouse (server mouse), large-bar (the firmware's 64-bit PCI window),
 * card-warnings (reset bugs, Resizable BAR, the card's audio elsewhere). A quirk returns features to add and never a
 * changed VM, so quirks do not depend on each other's order; the core refuses two that disagree.
 */
public interface GuestQuirk extends ExtensionPoint, HostReads {

    /** Stable id, e.g. "nvidia"; {@code vm create --quirk ID / --no-quirk ID} name it. */
    String id();

    /** One line for `vm create --help` and the plugin list: what it does and when. */
    default String description() {
        return id();
    }

    /**
     * What this VM needs from the quirk on this host.
     *
     * @param facts the host as read
     * @param vm    the VM as the user asked for it, before any quirk
     * @return the features and the reason, or {@link QuirkResult#none()} when the quirk does not apply
     */
    QuirkResult features(HostFacts facts, VmSpec vm);

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
