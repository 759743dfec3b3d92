package passthrough.api;

import org.pf4j.ExtensionPoint;

/**
 * "How are these devices reserved at boot on this kernel?" — kernel-command-line ids when the stub driver is
 * built in; modprobe.d options, softdeps and early loading when it is a module; driver_override by address for
 * identical cards. First-party: vfio-pci, pci-stub.
 */
public interface BindingStrategy extends ExtensionPoint, HostReads {

    /** Stable id, e.g. "vfio-pci". */
    String id();

    /** The driver the devices end up bound to, as sysfs names it (e.g. "vfio-pci", "pci-stub"). */
    String driverName();

    /** Whether this kernel can do it at all (the module exists, built in or loadable). */
    boolean isAvailable(HostFacts facts);

    /** The changes that reserve the devices at the next boot. */
    Contribution reserve(HostFacts facts, Reservation reservation);

    /**
     * Another strategy reserves these devices now (the user switched, say, from pci-stub to vfio-pci): the changes
     * that take them out of what this strategy set up before (its ids on the command line, its modprobe.d file),
     * so the two do not fight at boot. Devices this strategy holds for other groups stay reserved. By default
     * nothing: a strategy that leaves nothing behind has nothing to release.
     */
    default Contribution release(HostFacts facts, Reservation reservation) {
        return Contribution.of(java.util.List.of());
    }
}
