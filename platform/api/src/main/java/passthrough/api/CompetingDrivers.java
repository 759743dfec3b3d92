package passthrough.api;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The host drivers that could take reserved devices before a stub driver does: each device's current driver and
 * every module whose modules.alias pattern matches its modalias. Loadable ones can be ordered after the stub with
 * a softdep; built-in ones bind before any module loads and cannot be. Shared by the binding strategies, which
 * all face the same race.
 */
public final class CompetingDrivers {
    /** The stub drivers themselves never compete. */
    private static final Set<String> STUBS = Set.of("vfio_pci", "pci_stub");
    /**
     * sysfs driver names that are not module names (the driver's module link is not read), and drivers that are
     * no competitors (pcieport serves bridges, which are never reserved).
     */
    private static final Map<String, String> DRIVER_TO_MODULE = Map.of("xhci_hcd", "xhci_pci", "nvidia-gpu", "i2c_nvidia_gpu",
            "ehci-pci", "ehci_pci", "pcieport", "");

    private final Set<String> loadable;
    private final Map<String, List<PciDevice>> builtIn;

    private CompetingDrivers(Set<String> loadable, Map<String, List<PciDevice>> builtIn) {
        this.loadable = loadable;
        this.builtIn = builtIn;
    }

    public static CompetingDrivers of(HostFacts facts, Collection<PciDevice> devices) {
        Set<String> loadable = new TreeSet<>();
        Map<String, List<PciDevice>> builtIn = new LinkedHashMap<>();
        for (PciDevice d : devices) {
            Set<String> candidates = new LinkedHashSet<>(d.claimingModules());
            if (d.driver() != null) candidates.add(DRIVER_TO_MODULE.getOrDefault(d.driver(), d.driver()));
            for (String candidate : candidates) {
                String module = KernelModules.normalize(candidate);
                if (module.isEmpty() || STUBS.contains(module)) continue;
                // a driver name that is no module of this kernel (bochs-drm is module bochs): nothing to order
                if (facts.modules().stateOf(module) == KernelModules.ModuleState.MISSING) continue;
                if (facts.modules().isBuiltin(module)) {
                    builtIn.computeIfAbsent(module, m -> new java.util.ArrayList<>()).add(d);
                } else {
                    loadable.add(module);
                }
            }
        }
        return new CompetingDrivers(Set.copyOf(loadable), java.util.Collections.unmodifiableMap(builtIn));
    }

    /** Modules to order after the stub driver (softdep ... pre: stub), sorted. */
    public Set<String> loadable() {
        return new TreeSet<>(loadable);
    }

    /** Built-in drivers and the devices each would take; a softdep cannot beat them. */
    public Map<String, List<PciDevice>> builtIn() {
        return builtIn;
    }

    /** Whether {@code module} is a stub driver (vfio-pci, pci-stub), never a competitor. */
    public static boolean isStub(String module) {
        return STUBS.contains(KernelModules.normalize(module));
    }
}
