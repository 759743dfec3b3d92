package passthrough.cli.json;

import java.util.List;

/** `check --json`, the shape scripts rely on (fields may be added, never renamed). */
public record CheckJson(boolean ready, Cpu cpu, Iommu iommu, Kernel kernel, Distribution distribution,
                        Drivers drivers, ProfileJson profile, List<FindingJson> findings) {

    /** The distribution profile used: id (null when none matched), how it was chosen, and why. */
    public record ProfileJson(String id, String how, String reason) {
    }

    public record Cpu(String vendor, String model, boolean virtualization) {
    }

    public record Iommu(String technology, String probe, String firmware, boolean active, int groups,
                        List<String> units, String requiredParameters) {
    }

    public record Kernel(String release, String cmdline) {
    }

    public record Distribution(String id, String version, String name) {
    }

    public record Drivers(String vfioPci, String pciStub) {
    }

    public record FindingJson(String severity, String code, String message, String fix) {
    }
}
