package passthrough.plugin.pcistub;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.pf4j.Extension;
import passthrough.api.BindingStrategy;
import passthrough.api.Change;
import passthrough.api.CompetingDrivers;
import passthrough.api.Contribution;
import passthrough.api.EarlyModulesChange;
import passthrough.api.FileChange;
import passthrough.api.Finding;
import passthrough.api.HostFacts;
import passthrough.api.KernelModules;
import passthrough.api.KernelParameterListEdit;
import passthrough.api.KernelParametersChange;
import passthrough.api.ModprobeConfig;
import passthrough.api.PciDevice;
import passthrough.api.PciId;
import passthrough.api.Reservation;

/**
 * Reserves devices for pci-stub, the seed's simple route: built into most distribution kernels (Ubuntu's among
 * them), it takes {@code pci-stub.ids=} from the command line and, living in drivers/pci, registers before the USB
 * and sound drivers — so it wins even against a built-in xhci. As a module it needs modprobe.d and early loading,
 * like vfio-pci; its modprobe.d file is its state, added to by later plans. Identical cards need by-address
 * binding, which is vfio-pci's job.
 */
@Extension
public class PciStubBinding implements BindingStrategy {
    static final String CONF = "etc/modprobe.d/passthrough-pci-stub.conf";
    private static final String IDS = "pci-stub.ids";

    @Override
    public List<String> hostFiles() {
        return List.of(CONF);
    }

    @Override
    public String id() {
        return "pci-stub";
    }

    @Override
    public String driverName() {
        return "pci-stub";
    }

    @Override
    public boolean isAvailable(HostFacts facts) {
        return !facts.modules().known() || facts.modules().stateOf("pci_stub") != KernelModules.ModuleState.MISSING;
    }

    @Override
    public Contribution reserve(HostFacts facts, Reservation reservation) {
        List<Change> changes = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        if (reservation.byAddress()) {
            findings.add(Finding.error("PCI_STUB_BY_ADDRESS", "another device shares the reserved ids, and pci-stub can "
                    + "only reserve by ids, which would take it too", "use --binding vfio-pci, which reserves by address"));
            return new Contribution(changes, findings);
        }
        List<String> reservedIds = reservation.ids().stream().map(PciId::toString).toList();
        if (facts.modules().isBuiltin("pci_stub") || !facts.modules().known()) {
            // merged by the planner into the line the next boot gets, so ids an earlier plan put there stay
            changes.add(KernelParametersChange.ofList(KernelParameterListEdit.adding(IDS, reservedIds),
                    "pci-stub is built into kernel " + facts.kernelRelease() + ": it takes the ids from the command line"));
            findings.add(Finding.info("PCI_STUB_BUILTIN", "pci-stub only holds the devices; a VM needs them on vfio-pci, "
                    + "which libvirt's managed='yes' switches them to when the VM starts"));
            return new Contribution(changes, findings);
        }
        CompetingDrivers competing = CompetingDrivers.of(facts, reservation.devices());
        for (Map.Entry<String, List<PciDevice>> e : competing.builtIn().entrySet()) {
            for (PciDevice d : e.getValue()) {
                findings.add(Finding.error("BUILTIN_COMPETITOR", e.getKey() + " claims " + d.address() + " and is built "
                        + "into kernel " + facts.kernelRelease() + " while pci-stub is a module: a softdep cannot beat it",
                        "build pci-stub into the kernel (CONFIG_PCI_STUB=y) and use pci-stub.ids= on the command line"));
            }
        }
        if (!findings.isEmpty()) return new Contribution(changes, findings);
        ModprobeConfig before = ModprobeConfig.parse(facts.files().getOrDefault(CONF, ""));
        Set<String> ids = new LinkedHashSet<>(before.optionValues("pci-stub", "ids"));
        ids.addAll(reservedIds);
        Set<String> softdeps = new TreeSet<>(before.modulesLoadedAfter("pci-stub"));
        softdeps.addAll(competing.loadable());
        softdeps.removeIf(m -> facts.modules().isBuiltin(m) || CompetingDrivers.isStub(m));
        changes.add(conf(ids, softdeps));
        changes.add(new EarlyModulesChange(List.of("pci_stub"), "pci-stub must be loaded before the native drivers"));
        return new Contribution(changes, findings);
    }

    @Override
    public Contribution release(HostFacts facts, Reservation reservation) {
        List<Change> changes = new ArrayList<>();
        List<String> reservedIds = reservation.ids().stream().map(PciId::toString).toList();
        // taken out of the configured line the next boot gets (a no-op, and no bootloader edit, when they are not there)
        changes.add(KernelParametersChange.ofList(KernelParameterListEdit.removing(IDS, reservedIds),
                "these devices are no longer reserved for pci-stub"));
        String current = facts.files().get(CONF);
        if (current != null) {
            ModprobeConfig before = ModprobeConfig.parse(current);
            Set<String> ids = new LinkedHashSet<>(before.optionValues("pci-stub", "ids"));
            ids.removeAll(reservedIds);
            changes.add(ids.isEmpty() ? FileChange.delete(CONF, "nothing is reserved for pci-stub any more")
                    : conf(ids, new TreeSet<>(before.modulesLoadedAfter("pci-stub"))));
        }
        return Contribution.of(changes);
    }

    private static FileChange conf(Set<String> ids, Set<String> softdeps) {
        StringBuilder conf = new StringBuilder("# Written by passthrough: reserve devices for pci-stub at boot; "
                + "remove with `passthrough rollback`.\noptions pci-stub ids=" + String.join(",", ids) + "\n");
        for (String m : softdeps) conf.append("softdep ").append(m).append(" pre: pci-stub\n");
        return new FileChange(CONF, conf.toString(), "pci-stub ids and load order");
    }
}
