package passthrough.core.plan;

import java.util.List;
import passthrough.api.BindingStrategy;
import passthrough.api.BootloaderWriter;
import passthrough.api.EarlyModuleLoader;
import passthrough.api.GuestQuirk;
import passthrough.api.HardwareProbe;

/** The extensions a plan is made from, in preference order (built-ins first, then plugins). */
public record PlannerPlugins(List<HardwareProbe> probes, List<BindingStrategy> bindings,
                             List<BootloaderWriter> bootloaders, List<EarlyModuleLoader> earlyModuleLoaders,
                             List<GuestQuirk> quirks) {

    public PlannerPlugins {
        probes = List.copyOf(probes);
        bindings = List.copyOf(bindings);
        bootloaders = List.copyOf(bootloaders);
        earlyModuleLoaders = List.copyOf(earlyModuleLoaders);
        quirks = List.copyOf(quirks);
    }

    /** Without guest quirks (they only advise; no plan needs one). */
    public PlannerPlugins(List<HardwareProbe> probes, List<BindingStrategy> bindings, List<BootloaderWriter> bootloaders,
                          List<EarlyModuleLoader> earlyModuleLoaders) {
        this(probes, bindings, bootloaders, earlyModuleLoaders, List.of());
    }
}
