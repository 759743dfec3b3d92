package passthrough.core.vm;

import java.util.List;
import passthrough.api.GuestQuirk;
import passthrough.api.Hypervisor;
import passthrough.core.profiles.ProfileChoice;

/**
 * The plugins a VM is made from.
 *
 * @param hypervisors every loaded hypervisor, the profile's preference first, each configured with its settings
 * @param quirks      every loaded guest quirk, the profile's order first
 * @param profile     the distribution profile (for packages, firmware candidates and host quirks)
 */
public record VmPlugins(List<Hypervisor> hypervisors, List<GuestQuirk> quirks, ProfileChoice profile) {

    public VmPlugins {
        hypervisors = List.copyOf(hypervisors);
        quirks = List.copyOf(quirks);
    }
}
