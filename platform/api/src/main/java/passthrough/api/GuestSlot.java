package passthrough.api;

import java.util.List;

/**
 * One guest PCI slot holding the functions of one host card (one host slot), behind a PCIe root port of its own.
 * Function 0 is marked multifunction when the slot holds more than one function. Both hypervisors place it the
 * same way, so the libvirt domain and the QEMU script give the guest the same addresses.
 *
 * @param rootPort  1-based number of the slot's root port: the guest bus number, the libvirt controller index and
 *                  the QEMU root port's chassis; the root port itself sits on pcie.0 at slot {@link #rootPortSlot()}
 * @param functions the functions, in function order; the guest address of each is bus {@code rootPort}, slot 0
 */
public record GuestSlot(int rootPort, List<PassedFunction> functions) {

    /** Root ports take pcie.0's slots from 0x10 on (0x01-0x0f stay free for the disk, network and display). */
    public static final int FIRST_ROOT_PORT_SLOT = 0x10;

    public GuestSlot {
        functions = List.copyOf(functions);
        if (rootPort < 1 || rootPort > 0x0f) throw new IllegalArgumentException("root port number 1-15: " + rootPort);
        if (functions.isEmpty()) throw new IllegalArgumentException("a guest slot holds at least one function");
    }

    /** pcie.0 slot of this slot's root port. */
    public int rootPortSlot() {
        return FIRST_ROOT_PORT_SLOT + rootPort - 1;
    }

    /** Whether function 0 must say multifunction. */
    public boolean multifunction() {
        return functions.size() > 1;
    }
}
