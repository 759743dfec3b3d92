package passthrough.core.verify;

import java.util.ArrayList;
import java.util.List;
import passthrough.core.plugins.Probes;
import passthrough.api.Finding;
import passthrough.api.HardwareProbe;
import passthrough.api.HostFacts;
import passthrough.api.IommuGroup;
import passthrough.api.IommuRequirement;
import passthrough.api.KernelModules.ModuleState;
import passthrough.api.KernelParameter;
import passthrough.api.PciAddress;
import passthrough.api.PciDevice;
import passthrough.core.host.HostRoot;

/**
 * After the reboot: is the IOMMU on, does the command line say what was planned, is EVERY device of the group on
 * the stub driver, and does /dev/vfio/&lt;group&gt; exist? The seed's warning is the reason this exists: giving a
 * half-reserved group to a VM can hang the host, so any device left on a host driver is an error.
 */
public final class Verifier {
    private Verifier() {
    }

    /**
     * @param driver "vfio-pci", "pci-stub", or "auto" (the stub driver already bound to a device of the group, else
     *               vfio-pci)
     */
    public static VerifyReport verify(HostRoot root, HostFacts facts, List<HardwareProbe> probes, PciAddress target,
                                      String driver) {
        return verify(root, facts, probes, target, driver, false);
    }

    /**
     * @param withSiblings the card's functions in other groups were reserved too (`plan --with-siblings`): their
     *                     groups are checked as well; otherwise they are named as left to the host
     */
    public static VerifyReport verify(HostRoot root, HostFacts facts, List<HardwareProbe> probes, PciAddress target,
                                      String driver, boolean withSiblings) {
        List<Finding> out = new ArrayList<>();
        PciDevice device = facts.device(target).orElse(null);
        if (device == null) {
            out.add(Finding.error("NO_SUCH_DEVICE", "no PCI device " + target + " on this host: the card was removed or "
                    + "moved to another slot (its address changed)", "find it with `passthrough groups --gpu` and plan again"));
            return new VerifyReport(target.toString(), null, driver, out);
        }
        HardwareProbe probe = Probes.forHost(probes, facts).orElse(null);
        IommuRequirement req = probe == null ? null : probe.requirement(facts);
        if (!facts.iommuActive()) {
            out.add(Finding.error("IOMMU_INACTIVE", "the IOMMU is not active after the reboot (sys/kernel/iommu_groups is "
                    + "empty); the kernel command line is: " + facts.commandLine(), req == null
                    ? "turn the IOMMU on in the firmware" : "check that the boot used the updated configuration (it must "
                    + "contain " + String.join(" ", req.parametersToSet().stream().map(KernelParameter::toString).toList())
                    + "); run update-grub if it was skipped, and check the firmware setting"));
            return new VerifyReport(target.toString(), null, driver, out);
        }
        if (req != null && !req.isMetBy(facts.commandLine())) {
            String missing = String.join(" ", req.parametersToSet().stream().filter(p -> !facts.commandLine().has(p))
                    .map(KernelParameter::toString).toList());
            out.add(Finding.warning("CMDLINE_NOT_AS_PLANNED", "the running kernel's command line lacks "
                    + (missing.isEmpty() ? "what " + req.technology() + " asks for" : missing) + " (it is: "
                    + facts.commandLine() + ")", "if a plan added it, the boot used another entry: check the default "
                    + "entry and `passthrough history`"));
        }
        IommuGroup group = device.iommuGroup() == null ? null : facts.group(device.iommuGroup()).orElse(null);
        if (group == null) {
            out.add(Finding.error("NOT_IN_A_GROUP", target + " is in no IOMMU group", "it cannot be passed to a VM"));
            return new VerifyReport(target.toString(), null, driver, out);
        }
        String wanted = chooseDriver(facts, group, driver);
        List<IommuGroup> checked = new ArrayList<>(List.of(group));
        for (PciDevice f : facts.devices()) {
            if (!f.address().sameSlot(target) || f.iommuGroup() == null || f.iommuGroup() == group.id()) continue;
            IommuGroup other = facts.group(f.iommuGroup()).orElse(null);
            if (other == null || checked.contains(other)) continue;
            if (withSiblings) {
                checked.add(other);
            } else {
                out.add(Finding.info("CARD_FUNCTION_ELSEWHERE", f.address() + " [" + f.id() + "] " + f.className()
                        + " is a function of the card in IOMMU group " + other.id() + ", not checked: it was reserved "
                        + "only if the plan had --with-siblings (then verify with --with-siblings too)"));
            }
        }
        List<PciDevice> devices = new ArrayList<>();
        for (IommuGroup g : checked) devices.addAll(facts.devicesOf(g));
        for (PciDevice d : devices) {
            if (d.classCode().isPciBridge()) continue;
            String now = d.driver();
            if (wanted.equals(now)) {
                out.add(Finding.info("BOUND", d.address() + " [" + d.id() + "] is bound to " + wanted));
                continue;
            }
            out.add(Finding.error("NOT_RESERVED", (now == null ? "no driver holds " : now + " holds ") + d.address() + " ["
                    + d.id() + "] " + d.className() + " instead of " + wanted + ": " + cause(facts, wanted, now),
                    "do not start a VM with this group (a half-reserved group can hang the host); fix the cause, reboot "
                    + "and verify again"));
        }
        java.util.Set<passthrough.api.PciId> groupIds = devices.stream().filter(d -> !d.classCode().isPciBridge())
                .map(PciDevice::id).collect(java.util.stream.Collectors.toSet());
        for (PciDevice twin : facts.devices()) {
            if (twin.iommuGroup() != null && checked.stream().anyMatch(g -> g.id() == twin.iommuGroup())) continue;
            if (groupIds.contains(twin.id()) && wanted.equals(twin.driver())) {
                out.add(Finding.warning("TWIN_RESERVED", twin.address() + " [" + twin.id() + "] " + twin.className()
                        + " is outside the group but shares its ids and is bound to " + wanted + " too: an ids-based "
                        + "reservation took it, and the host lost it", "plan again: with identical ids passthrough "
                        + "reserves by address; remove the ids from other modprobe.d files or the command line"));
            }
        }
        if (wanted.equals("vfio-pci")) {
            for (IommuGroup g : checked) {
                String node = "dev/vfio/" + g.id();
                if (root.exists(node)) out.add(Finding.info("VFIO_NODE", "/" + node + " exists"));
                else out.add(Finding.error("NO_VFIO_NODE", "/" + node + " does not exist, so no VM can open the group",
                        "it appears when every device of the group is bound to vfio-pci; check the errors above"));
            }
        }
        return new VerifyReport(target.toString(), group.id(), wanted, out);
    }

    /**
     * Verifies several devices reserved by one plan ({@code plan --device A --device B}): each one's group (and with
     * {@code withSiblings} its card's other groups) as {@link #verify(HostRoot, HostFacts, List, PciAddress, String,
     * boolean)} does, in one report; a check common to all (the IOMMU, the command line) is said once.
     */
    public static VerifyReport verify(HostRoot root, HostFacts facts, List<HardwareProbe> probes, List<PciAddress> targets,
                                      String driver, boolean withSiblings) {
        if (targets.isEmpty()) throw new IllegalArgumentException("verify needs at least one device");
        if (targets.size() == 1) return verify(root, facts, probes, targets.get(0), driver, withSiblings);
        List<Finding> all = new ArrayList<>();
        List<Integer> groups = new ArrayList<>();
        VerifyReport first = null;
        for (PciAddress t : targets) {
            VerifyReport r = verify(root, facts, probes, t, driver, withSiblings);
            if (first == null) first = r;
            if (r.group() != null && !groups.contains(r.group())) groups.add(r.group());
            for (Finding f : r.findings()) if (!all.contains(f)) all.add(f);
        }
        return new VerifyReport(first.target(), targets.stream().map(PciAddress::toString).toList(), first.group(), groups,
                first.driver(), all);
    }

    private static String chooseDriver(HostFacts facts, IommuGroup group, String driver) {
        if (!driver.equals("auto")) return driver;
        for (PciDevice d : facts.devicesOf(group)) {
            if ("vfio-pci".equals(d.driver()) || "pci-stub".equals(d.driver())) return d.driver();
        }
        return "vfio-pci";
    }

    /** The likely cause, from how the stub driver exists in this kernel and who holds the device. */
    private static String cause(HostFacts facts, String wanted, String now) {
        String module = wanted.replace('-', '_');
        ModuleState state = facts.modules().stateOf(module);
        if (state == ModuleState.MISSING) return wanted + " does not exist in kernel " + facts.kernelRelease();
        if (now != null && facts.modules().isBuiltin(now.replace('-', '_'))) {
            return now + " is built into the kernel and binds before any module, so a softdep cannot help; reserve "
                    + "with " + wanted + ".ids= on the command line (" + wanted + " built in) or by address";
        }
        if (state == ModuleState.MODULE && !facts.modules().isLoaded(module)) {
            return wanted + " is a module and was not loaded at boot: the early module list (initramfs) was not "
                    + "rebuilt or does not contain it";
        }
        if (now == null) return wanted + " is loaded but did not claim it: its ids option or driver_override is missing";
        return "the softdep that loads " + wanted + " before " + now + " is missing, or the initramfs was not rebuilt "
                + "after it was added";
    }
}
