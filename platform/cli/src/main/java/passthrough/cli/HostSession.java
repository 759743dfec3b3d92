package passthrough.cli;

import java.util.List;
import passthrough.api.BindingStrategy;
import passthrough.api.BootloaderWriter;
import passthrough.api.EarlyModuleLoader;
import passthrough.api.GuestQuirk;
import passthrough.api.HardwareProbe;
import passthrough.core.plan.PlannerPlugins;
import passthrough.api.HostFacts;
import passthrough.core.host.HostFactsReader;
import passthrough.core.host.HostRoot;
import passthrough.core.host.HostRootException;
import passthrough.core.plugins.LoadedExtension;
import passthrough.core.plugins.PluginRegistry;

/** What a command works with: the opened root, its facts, and the loaded plugins. Close it to stop plugins. */
final class HostSession implements AutoCloseable {
    final HostRoot root;
    final HostFacts facts;
    final PluginRegistry plugins;

    private HostSession(HostRoot root, HostFacts facts, PluginRegistry plugins) {
        this.root = root;
        this.facts = facts;
        this.plugins = plugins;
    }

    static HostSession open(PassthroughCommand global, boolean withPlugins) {
        HostRoot root;
        try {
            root = HostRoot.open(global.root, null);
        } catch (HostRootException e) {
            throw new UserError(ExitCodes.USAGE, e.getMessage(), e);
        }
        HostFacts facts = HostFactsReader.read(root);
        PluginRegistry plugins = PluginRegistry.loadFrom(withPlugins ? global.pluginDirectories() : List.of());
        return new HostSession(root, facts, plugins);
    }

    List<HardwareProbe> probes() {
        return extensions(HardwareProbe.class);
    }

    PlannerPlugins plannerPlugins() {
        return new PlannerPlugins(probes(), extensions(BindingStrategy.class), extensions(BootloaderWriter.class),
                extensions(EarlyModuleLoader.class), extensions(GuestQuirk.class));
    }

    private <T extends org.pf4j.ExtensionPoint> List<T> extensions(Class<T> type) {
        return plugins.extensions(type).stream().map(LoadedExtension::extension).toList();
    }

    @Override
    public void close() {
        plugins.close();
    }
}
