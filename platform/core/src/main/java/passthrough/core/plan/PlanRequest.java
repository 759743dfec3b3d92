package passthrough.core.plan;

import java.util.Objects;
import passthrough.api.PciAddress;

/**
 * What the user asked for.
 *
 * @param target           a device of the GPU (normally its VGA function); the whole group is reserved
 * @param binding          "auto", "vfio-pci" or "pci-stub"
 * @param allowSharedGroup proceed although the group holds devices of other slots (they are taken from the host)
 * @param allowBootGpu     proceed although a reserved device is the firmware's console GPU
 * @param withSiblings     also reserve the card's functions that sit in other groups, where those groups hold nothing
 *                         but functions of this card
 */
public record PlanRequest(PciAddress target, String binding, boolean allowSharedGroup, boolean allowBootGpu,
                          boolean withSiblings) {

    public PlanRequest {
        Objects.requireNonNull(target, "target");
        binding = binding == null ? "auto" : binding;
    }

    public PlanRequest(PciAddress target, String binding, boolean allowSharedGroup, boolean allowBootGpu) {
        this(target, binding, allowSharedGroup, allowBootGpu, false);
    }
}
