package passthrough.core.plan;

import java.util.List;
import passthrough.api.BindingStrategy;
import passthrough.api.BootloaderWriter;
import passthrough.api.EarlyModuleLoader;
import passthrough.api.GuestQuirk;
import passthrough.api.HardwareProbe;
import passthrough.api.HostFacts;
import passthrough.core.profiles.ExtensionChoice;
import passthrough.core.profiles.ProfileChoice;

/**
 * The extensions a plan is made from. Probes and bindings in preference order (the profile's, else built-ins first,
 * then plugins); the bootloader writer and the early-module loader already chosen (one each), with why.
 *
 * @param bindings     every loaded binding: the first available one of {@code autoBindings} serves --binding auto, and
 *                     every other one releases what it set up before
 * @param autoBindings the ids --binding auto may choose from, in order (the profile's list; empty: all, in order)
 * @param quirks       every loaded guest quirk: each may advise on the reserved devices
 * @param profile      the profile the choices were made with (its profile may be null)
 */
public record PlannerPlugins(List<HardwareProbe> probes, List<BindingStrategy> bindings, List<String> autoBindings,
                             ExtensionChoice<BootloaderWriter> bootloader, ExtensionChoice<EarlyModuleLoader> earlyModules,
                             List<GuestQuirk> quirks, ProfileChoice profile) {

    public PlannerPlugins {
        probes = List.copyOf(probes);
        bindings = List.copyOf(bindings);
        autoBindings = List.copyOf(autoBindings);
        quirks = List.copyOf(quirks);
    }

    /** Without a profile or flags: the one writer and the one loader that manage the host (two is a refusal). */
    public static PlannerPlugins withoutProfile(HostFacts facts, List<HardwareProbe> probes, List<BindingStrategy> bindings,
                                                List<BootloaderWriter> bootloaders, List<EarlyModuleLoader> loaders,
                                                List<GuestQuirk> quirks) {
        ProfileChoice none = new ProfileChoice(null, ProfileChoice.How.NONE, "no profile");
        return new PlannerPlugins(probes, bindings, List.of(),
                ExtensionChoice.choose("bootloader writer", "--bootloader", bootloaders, BootloaderWriter::id,
                        w -> w.manages(facts), ExtensionChoice::reads, none, List.of(), null),
                ExtensionChoice.choose("early-module loader", "--early-modules", loaders, EarlyModuleLoader::id,
                        l -> l.manages(facts), ExtensionChoice::reads, none, List.of(), null),
                quirks, none);
    }

    /** As {@link #withoutProfile(HostFacts, List, List, List, List, List)}, without guest quirks (they only advise). */
    public static PlannerPlugins withoutProfile(HostFacts facts, List<HardwareProbe> probes, List<BindingStrategy> bindings,
                                                List<BootloaderWriter> bootloaders, List<EarlyModuleLoader> loaders) {
        return withoutProfile(facts, probes, bindings, bootloaders, loaders, List.of());
    }
}
