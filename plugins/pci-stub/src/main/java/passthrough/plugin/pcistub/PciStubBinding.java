package passthrough.plugin.pcistub;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.pf4j.Extension;
import passthrough.api.BindingStrategy;
import passthrough.api.Change;
import passthrough.api.Contribution;
import passthrough.api.EarlyModulesChange;
import passthrough.api.FileChange;
import passthrough.api.Finding;
import passthrough.api.HostFacts;
import passthrough.api.KernelModules;
import passthrough.api.KernelParameter;
import passthrough.api.KernelParametersChange;
import passthrough.api.PciDevice;
import passthrough.api.PciId;
import passthrough.api.Reservation;

/**
 * Reserves devices for pci-stub, the seed's simple route: built into most distribution kernels (Ubuntu's among
 * them), it takes {@code pci-stub.ids=} from the command line and, living in drivers/pci, registers before the USB
 * and sound drivers — so it wins even against a built-in xhci. As a module it needs modprobe.d and early loading,
 * like vfio-pci. Identical cards need by-address binding, which is vfio-pci's job.
 */
@Extension
public class PciStubBinding implements BindingStrategy {
    static final String CONF = "etc/modprobe.d/passthrough-pci-stub.conf";

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
        Set<String> ids = new LinkedHashSet<>();
        facts.commandLine().last("pci-stub.ids").map(KernelParameter::value).ifPresent(v -> {
            for (String id : v.split(",")) if (!id.isBlank()) ids.add(id.strip());
        });
        reservation.ids().stream().map(PciId::toString).forEach(ids::add);
        if (facts.modules().isBuiltin("pci_stub") || !facts.modules().known()) {
            changes.add(new KernelParametersChange(List.of(KernelParameter.of("pci-stub.ids", String.join(",", ids))), List.of(),
                    "pci-stub is built into kernel " + facts.kernelRelease() + ": it takes the ids from the command line"));
            findings.add(Finding.info("PCI_STUB_BUILTIN", "pci-stub only holds the devices; a VM needs them on vfio-pci, "
                    + "which libvirt's managed='yes' switches them to when the VM starts"));
            return new Contribution(changes, findings);
        }
        Set<String> competitors = new TreeSet<>();
        for (PciDevice d : reservation.devices()) {
            Set<String> mine = new LinkedHashSet<>(d.claimingModules());
            if (d.driver() != null && !d.driver().equals("pcieport")) mine.add(d.driver());
            for (String m : mine) {
                String module = KernelModules.normalize(m);
                if (module.equals("pci_stub") || module.equals("vfio_pci")) continue;
                if (facts.modules().isBuiltin(module)) {
                    findings.add(Finding.error("BUILTIN_COMPETITOR", module + " claims " + d.address() + " and is built "
                            + "into kernel " + facts.kernelRelease() + " while pci-stub is a module: a softdep cannot beat it",
                            "build pci-stub into the kernel (CONFIG_PCI_STUB=y) and use pci-stub.ids= on the command line"));
                } else {
                    competitors.add(module);
                }
            }
        }
        if (!findings.isEmpty()) return new Contribution(changes, findings);
        StringBuilder conf = new StringBuilder("# Written by passthrough: reserve devices for pci-stub at boot; "
                + "remove with `passthrough rollback`.\noptions pci-stub ids=" + String.join(",", reservation.ids().stream()
                .map(PciId::toString).toList()) + "\n");
        for (String m : competitors) conf.append("softdep ").append(m).append(" pre: pci-stub\n");
        if (!conf.toString().equals(facts.files().get(CONF))) changes.add(new FileChange(CONF, conf.toString(), "pci-stub ids and load order"));
        changes.add(new EarlyModulesChange(List.of("pci_stub"), "pci-stub must be loaded before the native drivers"));
        return new Contribution(changes, findings);
    }
}
