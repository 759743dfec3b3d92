package passthrough.core.vm;

import java.util.List;
import java.util.Objects;
import passthrough.api.DirectBoot;
import passthrough.api.PciAddress;
import passthrough.api.VirtType;
import passthrough.api.VmNetwork;
import passthrough.api.VmSpec;

/**
 * What the user asked `vm create` for; null means "the default the host suggests".
 *
 * @param name           the VM's name
 * @param devices        functions of the cards to pass (each brings its whole IOMMU group)
 * @param usbControllers USB controllers to pass (each brings its group), same rules
 * @param hypervisor     "libvirt", "qemu", or null for the profile's first installed one
 * @param memoryMiB      guest memory, or null for a share of the host's
 * @param cpus           vCPUs, or null for a share of the host's
 * @param disks          disks in order
 * @param iso            an installer ISO, or null
 * @param network        the network (never null: DEFAULT unless asked)
 * @param quirks         --quirk IDs: when given, only these quirks are consulted
 * @param noQuirks       --no-quirk IDs: switched off
 * @param boot           a kernel to boot directly, or null
 * @param virtType       KVM or QEMU (TCG), or null for KVM
 * @param graphics       SPICE or NONE, or null for SPICE
 * @param serialLog      a host file for the guest's serial console, or null
 * @param secureBoot     choose a Secure Boot firmware
 * @param bios           QEMU's default BIOS instead of UEFI (a directly booted Linux guest; nested test guests)
 * @param replace        replace a VM of that name that passthrough defined before
 */
public record VmRequest(String name, List<PciAddress> devices, List<PciAddress> usbControllers, String hypervisor,
                        Long memoryMiB, Integer cpus, List<DiskRequest> disks, String iso, VmNetwork network,
                        List<String> quirks, List<String> noQuirks, DirectBoot boot, VirtType virtType,
                        VmSpec.Graphics graphics, String serialLog, boolean secureBoot, boolean bios, boolean replace) {

    public VmRequest {
        Objects.requireNonNull(name, "name");
        devices = List.copyOf(devices);
        usbControllers = List.copyOf(usbControllers);
        disks = List.copyOf(disks);
        quirks = List.copyOf(quirks);
        noQuirks = List.copyOf(noQuirks);
        network = network == null ? VmNetwork.of(VmNetwork.Kind.DEFAULT) : network;
    }

    /**
     * A disk as asked: {@code PATH[,size=64G][,format=qcow2|raw]}.
     *
     * @param sizeBytes create it with this size when it does not exist; null: it must exist
     * @param format    null: from the file name (.qcow2 -> qcow2, else raw)
     */
    public record DiskRequest(String path, Long sizeBytes, String format) {
        public DiskRequest {
            Objects.requireNonNull(path, "path");
        }
    }
}
