package passthrough.plugin.vfiopci;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
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
 * Reserves devices for vfio-pci at boot. Built in: {@code vfio-pci.ids=} on the command line. A module (Debian,
 * Ubuntu): ids on the command line alone do nothing (vfio-pci never loads), so /etc/modprobe.d gets
 * {@code options vfio-pci ids=...} plus a {@code softdep <driver> pre: vfio-pci} for every driver that could claim
 * a reserved device, and the vfio modules are loaded early. Identical ids elsewhere: by address (driver_override).
 */
@Extension
public class VfioPciBinding implements BindingStrategy {
    static final String CONF = "etc/modprobe.d/passthrough-vfio.conf";
    static final String BY_ADDRESS_SCRIPT = "etc/passthrough/bind-by-address.sh";

    /** sysfs driver names that are not module names. */
    private static final Map<String, String> DRIVER_TO_MODULE = Map.of("xhci_hcd", "xhci_pci", "nvidia-gpu", "i2c_nvidia_gpu",
            "ehci-pci", "ehci_pci", "ahci", "ahci", "pcieport", "");

    @Override
    public String id() {
        return "vfio-pci";
    }

    @Override
    public String driverName() {
        return "vfio-pci";
    }

    @Override
    public boolean isAvailable(HostFacts facts) {
        // unknown module lists (no lib/modules): assume a distribution kernel, which has vfio-pci; verify will tell
        return !facts.modules().known() || facts.modules().stateOf("vfio_pci") != KernelModules.ModuleState.MISSING;
    }

    @Override
    public Contribution reserve(HostFacts facts, Reservation reservation) {
        List<Change> changes = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        String ids = String.join(",", reservation.ids().stream().map(PciId::toString).toList());
        if (facts.modules().isBuiltin("vfio_pci") && !reservation.byAddress()) {
            changes.add(new KernelParametersChange(List.of(KernelParameter.of("vfio-pci.ids", merged(facts, ids))), List.of(),
                    "vfio-pci is built into kernel " + facts.kernelRelease() + ": it takes the ids from the command line"));
            return new Contribution(changes, findings);
        }
        Set<String> competitors = competitors(facts, reservation.devices(), findings);
        if (findings.stream().anyMatch(f -> f.severity() == passthrough.api.Severity.ERROR)) return new Contribution(changes, findings);
        StringBuilder conf = new StringBuilder("# Written by passthrough: reserve ");
        conf.append(String.join(" ", reservation.devices().stream().map(d -> d.address().toShortString()).toList()))
                .append(" for vfio-pci at boot.\n# vfio-pci is a module here, so it must load before the drivers below; "
                        + "remove with `passthrough rollback`.\n");
        if (reservation.byAddress()) {
            conf.append("install vfio-pci /bin/sh /").append(BY_ADDRESS_SCRIPT)
                    .append("; /sbin/modprobe --ignore-install vfio-pci $CMDLINE_OPTS\n");
            changes.add(new FileChange(BY_ADDRESS_SCRIPT, byAddressScript(reservation), "bind the reserved devices by "
                    + "address (identical ids elsewhere), checking vendor:device first"));
            findings.add(Finding.info("BY_ADDRESS", "vfio-pci is told the devices by address (driver_override) rather than "
                    + "by ids, and each address is checked for its vendor:device at boot"));
        } else {
            conf.append("options vfio-pci ids=").append(ids).append('\n');
        }
        for (String module : competitors) conf.append("softdep ").append(module).append(" pre: vfio-pci\n");
        String current = facts.files().get(CONF);
        if (!conf.toString().equals(current)) changes.add(new FileChange(CONF, conf.toString(), "vfio-pci ids and load order"));
        List<String> early = new ArrayList<>(List.of("vfio", "vfio_iommu_type1", "vfio_pci"));
        if (before62(facts.kernelRelease())) early.add(1, "vfio_virqfd");
        changes.add(new EarlyModulesChange(early, "vfio-pci must be loaded before the native drivers"));
        findings.add(Finding.info("VFIO_MODULE", "vfio-pci is a module in kernel " + facts.kernelRelease() + ": `vfio-pci.ids=` "
                + "on the command line alone would do nothing, so modprobe.d options, softdeps and early loading are used"));
        for (Map.Entry<String, String> e : facts.files().entrySet()) {
            if (e.getKey().startsWith("etc/modprobe.d/") && !e.getKey().equals(CONF)
                    && e.getValue().lines().anyMatch(l -> l.strip().matches("options\\s+vfio[-_]pci\\s+.*ids=.*"))) {
                findings.add(Finding.warning("OTHER_VFIO_OPTIONS", e.getKey() + " also sets vfio-pci ids; the two lists "
                        + "would both apply", "remove the ids line from " + e.getKey()));
            }
        }
        return new Contribution(changes, findings);
    }

    /** Every module that could claim a reserved device: its current driver and the modules.alias matches. */
    private static Set<String> competitors(HostFacts facts, List<PciDevice> devices, List<Finding> findings) {
        Set<String> out = new TreeSet<>();
        for (PciDevice d : devices) {
            Set<String> mine = new LinkedHashSet<>(d.claimingModules());
            if (d.driver() != null) mine.add(DRIVER_TO_MODULE.getOrDefault(d.driver(), d.driver()));
            for (String m : mine) {
                String module = KernelModules.normalize(m);
                if (module.isEmpty() || module.equals("vfio_pci") || module.equals("pci_stub")) continue;
                if (facts.modules().isBuiltin(module)) {
                    findings.add(Finding.error("BUILTIN_COMPETITOR", module + " claims " + d.address() + " [" + d.id()
                            + "] and is built into kernel " + facts.kernelRelease() + ", so it binds before any module and a "
                            + "softdep cannot beat it", "build vfio-pci into the kernel (CONFIG_VFIO_PCI=y) and reserve with "
                            + "vfio-pci.ids= on the command line, or build " + module + " as a module"));
                    continue;
                }
                out.add(module);
            }
        }
        return out;
    }

    private static String merged(HostFacts facts, String ours) {
        Set<String> ids = new LinkedHashSet<>();
        facts.commandLine().last("vfio-pci.ids").map(KernelParameter::value).ifPresent(v -> {
            for (String id : v.split(",")) if (!id.isBlank()) ids.add(id.strip());
        });
        for (String id : ours.split(",")) ids.add(id);
        return String.join(",", ids);
    }

    static boolean before62(String release) {
        if (release == null) return false;
        String[] p = release.split("[.-]");
        try {
            int major = Integer.parseInt(p[0]);
            int minor = p.length > 1 ? Integer.parseInt(p[1]) : 0;
            return major < 6 || major == 6 && minor < 2;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static String byAddressScript(Reservation r) {
        StringBuilder sb = new StringBuilder("#!/bin/sh\n# Written by passthrough: give these devices to vfio-pci by address, "
                + "only if they are still the expected cards.\n");
        for (PciDevice d : r.devices()) {
            sb.append("bind ").append(d.address()).append(" 0x").append(d.id().vendorHex()).append(" 0x").append(d.id().deviceHex()).append('\n');
        }
        sb.insert(sb.indexOf("\n", sb.indexOf("cards.")) + 1, "bind() {\n  d=/sys/bus/pci/devices/$1\n"
                + "  if [ \"$(cat $d/vendor 2>/dev/null)\" = \"$2\" ] && [ \"$(cat $d/device 2>/dev/null)\" = \"$3\" ]; then\n"
                + "    echo vfio-pci > $d/driver_override\n  else\n"
                + "    echo \"passthrough: $1 is not $2:$3 any more; not binding it\" > /dev/kmsg\n  fi\n}\n");
        return sb.toString();
    }
}
