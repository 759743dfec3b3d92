package passthrough.api;

import java.util.Objects;

/**
 * One host PCI function given to the guest.
 *
 * @param host          its address on the host
 * @param guestFunction the function number it has in its guest slot: the host's, so a card looks the same to the
 *                      guest's driver as on bare metal (audio at .1 next to the GPU at .0)
 */
public record PassedFunction(PciAddress host, int guestFunction) {

    public PassedFunction {
        Objects.requireNonNull(host, "host");
        if (guestFunction < 0 || guestFunction > 7) throw new IllegalArgumentException("a PCI function is 0-7: " + guestFunction);
    }
}
