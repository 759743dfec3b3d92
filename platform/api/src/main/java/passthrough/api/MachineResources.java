package passthrough.api;

import java.util.List;
import java.util.Map;

/**
 * What a VM is sized from: the host's memory and CPUs, and the memory BARs of its PCI functions.
 *
 * @param memoryMiB MemTotal of /proc/meminfo, 0 when unknown
 * @param cpus      logical CPUs in /proc/cpuinfo, 0 when unknown
 * @param bars      memory BARs by function, from sysfs {@code resource}; a function without the file is absent
 */
public record MachineResources(long memoryMiB, int cpus, Map<PciAddress, List<PciBar>> bars) {

    public MachineResources {
        bars = Map.copyOf(bars);
    }

    public static MachineResources unknown() {
        return new MachineResources(0, 0, Map.of());
    }

    /** The memory BARs of {@code device}; empty when sysfs showed none. */
    public List<PciBar> barsOf(PciAddress device) {
        return bars.getOrDefault(device, List.of());
    }
}
