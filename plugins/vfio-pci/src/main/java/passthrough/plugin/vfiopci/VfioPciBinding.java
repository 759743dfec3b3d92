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
import passthrough.api.PciAddress;
import passthrough.api.PciDevice;
import passthrough.api.PciId;
import passthrough.api.Reservation;

/**
 * Reserves devices for vfio-pci at boot. Built in: {@code vfio-pci.ids=} on the command line. A module (Debian,
 * Ubuntu): ids on the command line alone do nothing (vfio-pci never loads), so /etc/modprobe.d gets
 * {@code options vfio-pci ids=...} plus a {@code softdep <driver> pre: vfio-pci} for every driver that could claim
 * a reserved device, and the vfio modules are loaded early. Identical ids elsewhere: by address (driver_override,
 * set by a script that modprobe runs just before vfio-pci loads).
 *
 * <p>The modprobe.d file is this plugin's state: a later plan (another GPU, or the same one after the reboot, when
 * the devices already sit on vfio-pci and their native driver is no longer visible) keeps the ids, addresses and
 * softdeps already in it and adds to them.
 */
@Extension
public class VfioPciBinding implements BindingStrategy {
    static final String CONF = "etc/modprobe.d/passthrough-vfio.conf";
    static final String BY_ADDRESS_SCRIPT = ByAddressScript.PATH;
    private static final String IDS = "vfio-pci.ids";

    /** Its own state, read back so a later plan adds to it (the modprobe.d file is among the kernel's, read by the core). */
    @Override
    public List<String> hostFiles() {
        return List.of(CONF, BY_ADDRESS_SCRIPT);
    }

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
        if (facts.modules().isBuiltin("vfio_pci")) {
            if (reservation.byAddress()) {
                findings.add(Finding.error("BUILTIN_BY_ADDRESS", "another device shares the reserved ids, so they must be "
                        + "reserved by address, but vfio-pci is built into kernel " + facts.kernelRelease() + ": it never "
                        + "loads as a module, so no modprobe install hook can set driver_override before the native "
                        + "drivers bind", "build vfio-pci as a module (CONFIG_VFIO_PCI=m), or move one of the identical "
                        + "cards out of this host"));
                return new Contribution(changes, findings);
            }
            // merged by the planner into the line the next boot gets, so ids an earlier plan put there stay
            changes.add(KernelParametersChange.ofList(KernelParameterListEdit.adding(IDS,
                    reservation.ids().stream().map(PciId::toString).toList()),
                    "vfio-pci is built into kernel " + facts.kernelRelease() + ": it takes the ids from the command line"));
            return new Contribution(changes, findings);
        }
        CompetingDrivers competing = CompetingDrivers.of(facts, reservation.devices());
        for (Map.Entry<String, List<PciDevice>> e : competing.builtIn().entrySet()) {
            for (PciDevice d : e.getValue()) {
                findings.add(Finding.error("BUILTIN_COMPETITOR", e.getKey() + " claims " + d.address() + " [" + d.id()
                        + "] and is built into kernel " + facts.kernelRelease() + ", so it binds before any module and a "
                        + "softdep cannot beat it", "build vfio-pci into the kernel (CONFIG_VFIO_PCI=y) and reserve with "
                        + "vfio-pci.ids= on the command line, or build " + e.getKey() + " as a module"));
            }
        }
        if (!findings.isEmpty()) return new Contribution(changes, findings);

        OwnFiles own = OwnFiles.read(facts);
        Set<String> reservedIds = new LinkedHashSet<>(reservation.ids().stream().map(PciId::toString).toList());
        if (reservation.byAddress()) {
            // ids would take the identical device too: these devices go by address, and leave the id list
            own.ids.removeAll(reservedIds);
            reservation.devices().forEach(d -> ByAddressScript.add(own.binds, d));
            findings.add(Finding.info("BY_ADDRESS", "vfio-pci is told the devices by address (driver_override) rather than "
                    + "by ids, and each address is checked for its vendor:device at boot"));
        } else {
            reservation.devices().forEach(d -> own.binds.remove(d.address()));
            own.ids.addAll(reservedIds);
        }
        own.softdeps.addAll(competing.loadable());
        own.softdeps.removeIf(m -> facts.modules().isBuiltin(m) || CompetingDrivers.isStub(m));
        changes.addAll(own.changes(reservation));

        List<String> early = new ArrayList<>(List.of("vfio", "vfio_iommu_type1", "vfio_pci"));
        if (before62(facts.kernelRelease())) early.add(1, "vfio_virqfd");
        changes.add(new EarlyModulesChange(early, own.binds.isEmpty() ? List.of() : List.of(BY_ADDRESS_SCRIPT),
                "vfio-pci must be loaded before the native drivers"));
        findings.add(Finding.info("VFIO_MODULE", "vfio-pci is a module in kernel " + facts.kernelRelease() + ": `vfio-pci.ids=` "
                + "on the command line alone would do nothing, so modprobe.d options, softdeps and early loading are used"));
        for (Map.Entry<String, String> e : facts.files().entrySet()) {
            if (e.getKey().startsWith("etc/modprobe.d/") && !e.getKey().equals(CONF)
                    && !ModprobeConfig.parse(e.getValue()).optionValues("vfio-pci", "ids").isEmpty()) {
                findings.add(Finding.warning("OTHER_VFIO_OPTIONS", e.getKey() + " also sets vfio-pci ids; the two lists "
                        + "would both apply", "remove the ids line from " + e.getKey()));
            }
        }
        return new Contribution(changes, findings);
    }

    @Override
    public Contribution release(HostFacts facts, Reservation reservation) {
        List<Change> changes = new ArrayList<>();
        List<String> reservedIds = reservation.ids().stream().map(PciId::toString).toList();
        // taken out of the configured line the next boot gets (a no-op, and no bootloader edit, when they are not there)
        changes.add(KernelParametersChange.ofList(KernelParameterListEdit.removing(IDS, reservedIds),
                "these devices are no longer reserved for vfio-pci"));
        if (facts.files().containsKey(CONF) || facts.files().containsKey(BY_ADDRESS_SCRIPT)) {
            OwnFiles own = OwnFiles.read(facts);
            own.ids.removeAll(reservedIds);
            reservation.devices().forEach(d -> own.binds.remove(d.address()));
            changes.addAll(own.changes(reservation));
        }
        return Contribution.of(changes);
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

    /** What this plugin wrote before (its modprobe.d file and by-address script), to be added to or taken from. */
    private static final class OwnFiles {
        final Set<String> ids = new LinkedHashSet<>();
        final Map<PciAddress, PciId> binds;
        final Set<String> softdeps = new TreeSet<>();
        private final HostFacts facts;

        private OwnFiles(HostFacts facts) {
            this.facts = facts;
            this.binds = ByAddressScript.read(facts.files().get(BY_ADDRESS_SCRIPT));
        }

        static OwnFiles read(HostFacts facts) {
            OwnFiles own = new OwnFiles(facts);
            ModprobeConfig conf = ModprobeConfig.parse(facts.files().getOrDefault(CONF, ""));
            own.ids.addAll(conf.optionValues("vfio-pci", "ids"));
            own.softdeps.addAll(conf.modulesLoadedAfter("vfio-pci"));
            return own;
        }

        /** What the modprobe.d file holds, for the plan: "vfio-pci ids and load order", "by-address hook and ...". */
        private String describe() {
            List<String> parts = new ArrayList<>();
            if (!ids.isEmpty()) parts.add("vfio-pci ids");
            if (!binds.isEmpty()) parts.add("by-address hook");
            if (!softdeps.isEmpty()) parts.add("load order");
            return parts.size() == 1 ? parts.get(0)
                    : String.join(", ", parts.subList(0, parts.size() - 1)) + " and " + parts.get(parts.size() - 1);
        }

        /** The files as they must now be; deleted when nothing is left to reserve. */
        List<Change> changes(Reservation reservation) {
            List<Change> out = new ArrayList<>();
            boolean script = facts.files().containsKey(BY_ADDRESS_SCRIPT);
            if (ids.isEmpty() && binds.isEmpty()) {
                if (facts.files().containsKey(CONF)) out.add(FileChange.delete(CONF, "nothing is reserved for vfio-pci any more"));
                if (script) out.add(FileChange.delete(BY_ADDRESS_SCRIPT, "nothing is reserved by address any more"));
                return out;
            }
            StringBuilder conf = new StringBuilder("# Written by passthrough: reserve PCI devices for vfio-pci at boot.\n"
                    + "# vfio-pci is a module here, so it must load before the drivers below; remove with `passthrough rollback`.\n");
            if (!binds.isEmpty()) {
                conf.append("install vfio-pci /bin/sh /").append(BY_ADDRESS_SCRIPT)
                        .append("; /sbin/modprobe --ignore-install vfio-pci $CMDLINE_OPTS\n");
            }
            if (!ids.isEmpty()) conf.append("options vfio-pci ids=").append(String.join(",", ids)).append('\n');
            for (String module : softdeps) conf.append("softdep ").append(module).append(" pre: vfio-pci\n");
            out.add(new FileChange(CONF, conf.toString(), describe()));
            if (!binds.isEmpty()) {
                out.add(new FileChange(BY_ADDRESS_SCRIPT, ByAddressScript.render(binds), "bind "
                        + String.join(" ", binds.keySet().stream().map(PciAddress::toShortString).toList())
                        + " to vfio-pci by address, checking each vendor:device at boot"));
            } else if (script) {
                out.add(FileChange.delete(BY_ADDRESS_SCRIPT, "no device is reserved by address any more"));
            }
            return out;
        }
    }
}
