package passthrough.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A VM that owns host PCI devices, independent of the hypervisor's syntax. Quirks never change it: they return
 * {@link VmFeature}s, which the core merges (refusing conflicts) and hands to the {@link Hypervisor} next to it.
 *
 * @param name       the VM's name: letters, digits, '.', '_', '-' (a libvirt domain name and a file name)
 * @param memoryMiB  guest memory
 * @param vcpus      virtual CPUs
 * @param virtType   KVM, or QEMU's TCG where the host has no KVM
 * @param firmware   the UEFI firmware (OVMF: a passed-through GPU's option ROM wants UEFI), or null for QEMU's
 *                   default BIOS (SeaBIOS), which only a directly booted Linux guest or a legacy guest asks for;
 *                   the machine is always q35
 * @param disks      disks, in order (the first is the boot disk)
 * @param cdrom      an installer ISO on the host, or null
 * @param network    the network interface
 * @param graphics   SPICE for a small viewer window, or none (the passed-through GPU is the display)
 * @param slots      the passed-through cards, one guest slot each
 * @param directBoot a kernel to boot directly, or null
 * @param serialLog  a host file the guest's serial console is written to, or null (libvirt: a pty; QEMU: stdio)
 */
public record VmSpec(String name, long memoryMiB, int vcpus, VirtType virtType, Firmware firmware, List<VmDisk> disks,
                     String cdrom, VmNetwork network, Graphics graphics, List<GuestSlot> slots, DirectBoot directBoot,
                     String serialLog) {

    /** What the guest shows on the host's screen, apart from the passed-through GPU. */
    public enum Graphics { SPICE, NONE }

    public VmSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(virtType, "virtType");
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(graphics, "graphics");
        disks = List.copyOf(disks);
        slots = List.copyOf(slots);
        if (memoryMiB < 1 || vcpus < 1) throw new IllegalArgumentException("memory and vCPUs must be positive");
    }

    /** Whether the guest boots UEFI (OVMF); false: QEMU's default BIOS. */
    public boolean uefi() {
        return firmware != null;
    }

    /** Every passed-through function, slot by slot. */
    public List<PassedFunction> functions() {
        List<PassedFunction> all = new ArrayList<>();
        slots.forEach(s -> all.addAll(s.functions()));
        return all;
    }
}
