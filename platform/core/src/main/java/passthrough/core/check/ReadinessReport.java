package passthrough.core.check;

import java.util.List;
import java.util.Optional;
import passthrough.api.Finding;
import passthrough.api.HostFacts;
import passthrough.api.IommuRequirement;
import passthrough.api.KernelModules.ModuleState;
import passthrough.api.Severity;

/**
 * The answer to "can this machine do GPU passthrough?".
 *
 * @param facts        what was read
 * @param probeId      the HardwareProbe that recognised the platform, or null
 * @param requirement  what it asks of the command line, or null when no probe recognised the platform
 * @param vfioPci      how vfio-pci exists in this kernel
 * @param pciStub      how pci-stub exists in this kernel
 * @param findings     errors first, then warnings, then info
 */
public record ReadinessReport(HostFacts facts, String probeId, IommuRequirement requirement,
                              ModuleState vfioPci, ModuleState pciStub, List<Finding> findings) {

    public ReadinessReport {
        findings = findings.stream().sorted((a, b) -> a.severity().compareTo(b.severity())).toList();
    }

    /** Ready when nothing is an error. */
    public boolean ready() {
        return findings.stream().noneMatch(f -> f.severity() == Severity.ERROR);
    }

    public Optional<IommuRequirement> iommuRequirement() {
        return Optional.ofNullable(requirement);
    }
}
