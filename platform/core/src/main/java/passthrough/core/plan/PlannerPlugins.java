package passthrough.core.plan;

import java.util.List;
import passthrough.api.BindingStrategy;
import passthrough.api.BootloaderWriter;
import passthrough.api.EarlyModuleLoader;
import passthrough.api.HardwareProbe;

/** The extensions a plan is made from, in preference order (built-ins first, then plugins). */
public record PlannerPlugins(List<HardwareProbe> probes, List<BindingStrategy> bindings,
                             List<BootloaderWriter> bootloaders, List<EarlyModuleLoader> earlyModuleLoaders) {

    public PlannerPlugins {
        probes = List.copyOf(probes);
        bindings = List.copyOf(bindings);
        bootloaders = List.copyOf(bootloaders);
        earlyModuleLoaders = List.copyOf(earlyModuleLoaders);
    }
}
