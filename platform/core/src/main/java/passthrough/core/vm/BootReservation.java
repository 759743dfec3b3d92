package passthrough.core.vm;

import passthrough.api.PciAddress;

/**
 * Whether the host's boot configuration reserves a device's group for the next boot: the reservation planner's
 * answer (a plan for it that changes nothing), given to the VM planner by whoever has the reservation plugins.
 */
@FunctionalInterface
public interface BootReservation {

    /** null when the next boot reserves {@code device}'s group; else what is missing, in words. */
    String missing(PciAddress device);
}
