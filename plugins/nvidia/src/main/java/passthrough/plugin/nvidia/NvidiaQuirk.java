package passthrough.plugin.nvidia;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.pf4j.Extension;
import passthrough.api.Finding;
import passthrough.api.GuestQuirk;
import passthrough.api.HostFacts;
import passthrough.api.PassedFunction;
import passthrough.api.PciDevice;
import passthrough.api.QuirkResult;
import passthrough.api.VirtType;
import passthrough.api.VmFeature;
import passthrough.api.VmSpec;

/**
 * NVIDIA's error 43 and q35's split interrupt controller. When the VM holds an NVIDIA (vendor 10de) display function
 * (class 03xx: VGA, or the 3D controller a Tesla is):
 * <ul>
 *   <li>{@link VmFeature.HideKvm} and {@link VmFeature.HypervVendorId}: NVIDIA's Windows drivers before R465 look for
 *       a hypervisor signature and stop the card with "error 43" when they find KVM's. With the R465 drivers (March
 *       2021) NVIDIA added beta support for passing GeForce cards (Kepler and newer) to a Windows VM, so from R465 on
 *       the hiding is no longer needed: NVIDIA's FAQ "GeForce GPU Passthrough for Windows Virtual Machine (Beta)",
 *       support answer 5173, as reported at the time by TechPowerUp and linuxiac ("you'll need to ensure that you have
 *       the R465 driver installed"). The features are kept because a guest may well run an older driver (seed 1
 *       installs whatever the guest's installer brings), and they cost a newer driver nothing.</li>
 *   <li>{@link VmFeature.KvmIoapic}: the VM is always q35 ({@link VmSpec}), whose default since QEMU 4.0 is the split
 *       irqchip (I/O APIC emulated in QEMU), with which NVIDIA's drivers lose interrupts; KVM's in-kernel I/O APIC
 *       avoids it.</li>
 * </ul>
 * The vendor id is {@value #VENDOR_ID}: fixed, so the same VM gives the same definition on every run (golden tests,
 * diffs in {@code vm create}'s plan), at most 12 characters as Hyper-V's CPUID leaf holds, none of the characters
 * QEMU's option syntax or libvirt's XML treats specially, and not "Microsoft Hv" or "KVMKVMKVM": any other value
 * serves, and this one tells a reader of the definition which tool put it there.
 *
 * <p>Under TCG ({@link VirtType#QEMU}) there is no KVM to hide and no in-kernel I/O APIC: the quirk adds nothing and
 * says so in an info finding.
 */
@Extension
public class NvidiaQuirk implements GuestQuirk {
    static final int NVIDIA = 0x10de;
    /** The Hyper-V vendor id given to the guest; see the class comment for why this one. */
    static final String VENDOR_ID = "passthrough";

    @Override
    public String id() {
        return "nvidia";
    }

    @Override
    public String description() {
        return "an NVIDIA GPU in the VM: hide KVM, a Hyper-V vendor id (error 43 of drivers before R465) and KVM's "
                + "interrupt controller (q35's split irqchip breaks NVIDIA drivers)";
    }

    @Override
    public QuirkResult features(HostFacts facts, VmSpec vm) {
        List<PciDevice> gpus = nvidiaDisplays(facts, vm);
        if (gpus.isEmpty()) return QuirkResult.none();
        String which = describe(gpus);
        if (vm.virtType() == VirtType.QEMU) {
            return QuirkResult.warnings(List.of(Finding.info("NVIDIA_QUIRK_NOT_UNDER_TCG", which + " is in a VM that "
                    + "runs under QEMU's TCG, not KVM: there is no KVM signature to hide and no in-kernel interrupt "
                    + "controller, so the nvidia quirk adds nothing")));
        }
        String why = which + ": KVM hidden and Hyper-V vendor id '" + VENDOR_ID + "', because NVIDIA's Windows "
                + "drivers before R465 stop the card with error 43 when they see a hypervisor (from R465 on NVIDIA "
                + "supports passthrough and no longer needs the hiding: https://nvidia.custhelp.com/app/answers/detail/"
                + "a_id/5173; it is harmless for newer drivers); KVM's in-kernel I/O APIC instead of the split irqchip "
                + "q35 has used since QEMU 4.0, with which NVIDIA's drivers lose interrupts";
        return new QuirkResult(List.of(new VmFeature.HideKvm(), new VmFeature.HypervVendorId(VENDOR_ID),
                new VmFeature.KvmIoapic()), why, List.of());
    }

    /**
     * The VM's NVIDIA display functions, in VM order. A passed function the facts do not list matches nothing: the
     * core refuses a {@code --device} that is not on the host before any quirk runs.
     */
    static List<PciDevice> nvidiaDisplays(HostFacts facts, VmSpec vm) {
        List<PciDevice> out = new ArrayList<>();
        for (PassedFunction f : vm.functions()) {
            Optional<PciDevice> d = facts.device(f.host());
            if (d.isPresent() && d.get().id().vendor() == NVIDIA && d.get().classCode().isDisplay()) out.add(d.get());
        }
        return out;
    }

    private static String describe(List<PciDevice> gpus) {
        List<String> names = new ArrayList<>();
        for (PciDevice d : gpus) names.add(d.address() + " " + d.displayName() + " [" + d.id() + "]");
        return String.join(", ", names);
    }
}
