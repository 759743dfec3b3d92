package passthrough.api;

import java.util.Map;

/**
 * Something a VM definition must say beyond its devices, independent of the hypervisor's syntax:
 * e.g. {@code hide-kvm}, {@code hyperv-vendor-id {value=...}}, {@code spice-mouse {mode=server}}.
 * A {@link Hypervisor} renders the features it knows and reports the ones it cannot.
 */
public record VmFeature(String name, Map<String, String> attributes) {

    public VmFeature {
        attributes = Map.copyOf(attributes);
    }
}
