package passthrough.core.profiles;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.pf4j.ExtensionPoint;
import passthrough.api.BindingStrategy;
import passthrough.api.BootloaderWriter;
import passthrough.api.EarlyModuleLoader;
import passthrough.api.GuestQuirk;
import passthrough.api.HardwareProbe;
import passthrough.api.HostFacts;
import passthrough.api.HostReads;
import passthrough.api.Hypervisor;
import passthrough.api.PluginSettings;
import passthrough.core.host.HostNeeds;
import passthrough.core.plan.PlannerPlugins;
import passthrough.core.plugins.LoadedExtension;
import passthrough.core.plugins.PluginFailedException;
import passthrough.core.plugins.PluginRegistry;

/**
 * The loaded extensions as the chosen profile orders and configures them: what the fact reader must read for them,
 * whether the profile names only extensions that exist (and settings they take), and the plugins a plan is made from.
 */
public final class ProfiledPlugins {
    private final PluginRegistry registry;
    private final ProfileChoice choice;

    private ProfiledPlugins(PluginRegistry registry, ProfileChoice choice) {
        this.registry = registry;
        this.choice = choice;
    }

    public static ProfiledPlugins of(PluginRegistry registry, ProfileChoice choice) {
        return new ProfiledPlugins(registry, choice);
    }

    public ProfileChoice choice() {
        return choice;
    }

    /** The core's files and commands, every loaded extension's, and the profile's (packages, host quirks). */
    public HostNeeds needs() {
        HostNeeds needs = HostNeeds.CORE;
        for (Class<? extends ExtensionPoint> type : PluginRegistry.EXTENSION_POINTS) {
            for (LoadedExtension<? extends ExtensionPoint> e : registry.extensions(type)) {
                if (e.extension() instanceof HostReads r) {
                    try {
                        needs = needs.plus(r.hostFiles(), r.hostCommands());
                    } catch (IllegalArgumentException | PluginFailedException bad) {
                        // a plugin's malformed pattern (or a declaration that throws) is its own problem: the others'
                        // files are still read, and `plugins` and a refused plan show it
                        registry.recordProblem(e.source(), "declares what it reads wrongly: " + bad.getMessage());
                    }
                }
            }
        }
        if (choice.found()) needs = needs.plus(needsOf(choice.profile()));
        return needs;
    }

    /** The files (host quirks) and commands (packages) a profile's findings look at. */
    public static HostNeeds needsOf(Profile p) {
        List<String> files = new ArrayList<>();
        for (Profile.HostQuirk q : p.hostQuirks()) files.add(q.file());
        // the match evidence, so a host report replays to the same profile
        files.addAll(p.match().whenPresent());
        files.addAll(p.match().whenAbsent());
        List<String> commands = new ArrayList<>();
        if (p.packages() != null) for (Profile.Package pk : p.packages().needed()) if (pk.command() != null) commands.add(pk.command());
        return new HostNeeds(files, commands);
    }

    /**
     * What is wrong with the chosen profile given the loaded extensions: an extension id no loaded plugin provides, a
     * setting for a plugin the profile does not name or that the plugin does not take. Each names the file and line.
     */
    public List<String> problems() {
        if (!choice.found()) return List.of();
        return problems(choice.profile(), registry);
    }

    public static List<String> problems(Profile p, PluginRegistry registry) {
        List<String> out = new ArrayList<>();
        Map<String, List<String>> lists = Map.of("hardwareProbes", p.plugins().hardwareProbes(), "bindings", p.plugins().bindings(),
                "bootloaders", p.plugins().bootloaders(), "earlyModuleLoaders", p.plugins().earlyModuleLoaders(),
                "hypervisors", p.plugins().hypervisors(), "guestQuirks", p.plugins().guestQuirks());
        Map<String, Class<? extends ExtensionPoint>> types = Map.of("hardwareProbes", HardwareProbe.class, "bindings",
                BindingStrategy.class, "bootloaders", BootloaderWriter.class, "earlyModuleLoaders", EarlyModuleLoader.class,
                "hypervisors", Hypervisor.class, "guestQuirks", GuestQuirk.class);
        for (String point : List.of("hardwareProbes", "bindings", "bootloaders", "earlyModuleLoaders", "hypervisors", "guestQuirks")) {
            List<String> loaded = registry.extensions(types.get(point)).stream()
                    .map(e -> PluginRegistry.extensionId(e.extension())).toList();
            List<String> ids = lists.get(point);
            for (int i = 0; i < ids.size(); i++) {
                if (!loaded.contains(ids.get(i))) {
                    out.add(p.where("/plugins/" + point + "/" + i) + ": field 'plugins." + point + "[" + i + "]': no loaded "
                            + "plugin provides \"" + ids.get(i) + "\" (" + (loaded.isEmpty() ? "none is loaded" : "loaded: "
                            + String.join(", ", loaded)) + "); fix the id, or install the plugin (`passthrough plugins "
                            + "install JAR`); `passthrough plugins` lists what failed to load");
                }
            }
        }
        for (var e : p.settings().entrySet()) {
            String plugin = e.getKey();
            Set<String> names = settingNames(plugin, registry);
            if (names == null) {
                out.add(p.where("/settings/" + plugin) + ": field 'settings." + plugin + "': settings for \"" + plugin
                        + "\", which is no loaded bootloader writer, early-module loader or hypervisor; fix the id");
                continue;
            }
            for (String key : e.getValue().keySet()) {
                if (!names.contains(key)) {
                    out.add(p.where("/settings/" + plugin + "/" + key) + ": field 'settings." + plugin + "." + key + "': "
                            + plugin + " takes no setting \"" + key + "\" (" + (names.isEmpty() ? "it takes none"
                            : "it takes: " + String.join(", ", names.stream().sorted().toList())) + ")");
                }
            }
        }
        return out;
    }

    private static Set<String> settingNames(String id, PluginRegistry registry) {
        for (LoadedExtension<BootloaderWriter> w : registry.extensions(BootloaderWriter.class)) {
            if (w.extension().id().equals(id)) return w.extension().settingNames();
        }
        for (LoadedExtension<EarlyModuleLoader> l : registry.extensions(EarlyModuleLoader.class)) {
            if (l.extension().id().equals(id)) return l.extension().settingNames();
        }
        for (LoadedExtension<Hypervisor> h : registry.extensions(Hypervisor.class)) {
            if (h.extension().id().equals(id)) return h.extension().settingNames();
        }
        return null;
    }

    /** Probes in the profile's order (the ones it lists first, then the others). */
    public List<HardwareProbe> probes() {
        return ordered(extensions(HardwareProbe.class), HardwareProbe::id,
                choice.found() ? choice.profile().plugins().hardwareProbes() : List.of());
    }

    /**
     * The plugins a plan is made from.
     *
     * @param bootloaderFlag   --bootloader ID, or null
     * @param earlyModulesFlag --early-modules ID, or null
     */
    public PlannerPlugins forPlan(HostFacts facts, String bootloaderFlag, String earlyModulesFlag) {
        Profile.Plugins listed = choice.found() ? choice.profile().plugins() : null;
        List<BootloaderWriter> writers = extensions(BootloaderWriter.class);
        List<EarlyModuleLoader> loaders = extensions(EarlyModuleLoader.class);
        ExtensionChoice<BootloaderWriter> writer = ExtensionChoice.choose("bootloader writer", "--bootloader", writers,
                BootloaderWriter::id, w -> w.manages(facts), ExtensionChoice::reads, choice,
                listed == null ? List.of() : listed.bootloaders(), bootloaderFlag);
        ExtensionChoice<EarlyModuleLoader> loader = ExtensionChoice.choose("early-module loader", "--early-modules", loaders,
                EarlyModuleLoader::id, l -> l.manages(facts), ExtensionChoice::reads, choice,
                listed == null ? List.of() : listed.earlyModuleLoaders(), earlyModulesFlag);
        if (writer.chosen() != null) {
            writer = new ExtensionChoice<>(writer.chosen().withSettings(settings(writer.chosen().id())),
                    writer.explanation(), null, null);
        }
        if (loader.chosen() != null) {
            loader = new ExtensionChoice<>(loader.chosen().withSettings(settings(loader.chosen().id())),
                    loader.explanation(), null, null);
        }
        List<BindingStrategy> bindings = ordered(extensions(BindingStrategy.class), BindingStrategy::id,
                listed == null ? List.of() : listed.bindings());
        // every loaded quirk advises (a vendor's third-party quirk is not in any profile); the profile orders them
        List<GuestQuirk> quirks = ordered(extensions(GuestQuirk.class), GuestQuirk::id,
                listed == null ? List.of() : listed.guestQuirks());
        return new PlannerPlugins(probes(), bindings, listed == null ? List.of() : listed.bindings(), writer, loader,
                quirks, choice);
    }

    /** The plugins a VM is made from: hypervisors and quirks in the profile's order, hypervisors with its settings. */
    public passthrough.core.vm.VmPlugins forVm() {
        Profile.Plugins listed = choice.found() ? choice.profile().plugins() : null;
        List<Hypervisor> hypervisors = ordered(extensions(Hypervisor.class), Hypervisor::id,
                listed == null || listed.hypervisors().isEmpty() ? List.of("libvirt", "qemu") : listed.hypervisors())
                .stream().map(h -> h.withSettings(settings(h.id()))).toList();
        List<GuestQuirk> quirks = ordered(extensions(GuestQuirk.class), GuestQuirk::id,
                listed == null ? List.of() : listed.guestQuirks());
        return new passthrough.core.vm.VmPlugins(hypervisors, quirks, choice);
    }

    private PluginSettings settings(String pluginId) {
        if (!choice.found()) return PluginSettings.NONE;
        return new PluginSettings(choice.profile().settings().getOrDefault(pluginId, Map.of()));
    }

    private <T extends ExtensionPoint> List<T> extensions(Class<T> type) {
        return registry.extensions(type).stream().map(LoadedExtension::extension).toList();
    }

    /** {@code preferred} ids first in their order, then the rest as loaded. */
    private static <T> List<T> ordered(List<T> all, Function<T, String> id, List<String> preferred) {
        List<T> out = new ArrayList<>(all);
        out.sort(Comparator.comparingInt(t -> {
            int i = preferred.indexOf(id.apply(t));
            return i < 0 ? Integer.MAX_VALUE : i;
        }));
        return out;
    }
}
