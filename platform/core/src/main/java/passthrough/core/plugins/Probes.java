package passthrough.core.plugins;

import java.util.List;
import java.util.Optional;
import passthrough.api.HardwareProbe;
import passthrough.api.HostFacts;

/** Which {@link HardwareProbe} speaks for this host: the first that recognises it. One rule for plan, check and verify. */
public final class Probes {
    private Probes() {
    }

    public static Optional<HardwareProbe> forHost(List<HardwareProbe> probes, HostFacts facts) {
        return probes.stream().filter(p -> p.recognizes(facts)).findFirst();
    }
}
