package passthrough.api;

import java.util.List;

/**
 * What a {@link HardwareProbe} says about its kind of IOMMU on this host.
 *
 * @param technology      "Intel VT-d" or "AMD-Vi"
 * @param firmwareTable   the ACPI table the firmware must provide
 * @param parametersToSet kernel parameters that must be on the command line for the IOMMU to work (and to use
 *                        pass-through mode for host devices)
 * @param parametersToRemove parameters that must go (a pattern without value removes any value)
 * @param findings        what the probe noticed on the current command line, with fixes
 */
public record IommuRequirement(String technology, FirmwareTable firmwareTable, List<KernelParameter> parametersToSet,
                               List<KernelParameter> parametersToRemove, List<Finding> findings) {

    public IommuRequirement {
        parametersToSet = List.copyOf(parametersToSet);
        parametersToRemove = List.copyOf(parametersToRemove);
        findings = List.copyOf(findings);
    }

    /** The requirement as a command-line change a bootloader writer can apply. */
    public KernelParametersChange asChange() {
        return new KernelParametersChange(parametersToSet, parametersToRemove, "turn on " + technology + " for passthrough");
    }

    /** The command line after this requirement is met; untouched parameters stay as they are. */
    public KernelCommandLine applyTo(KernelCommandLine line) {
        return asChange().applyTo(line);
    }

    /** Whether the command line already satisfies the requirement. */
    public boolean isMetBy(KernelCommandLine line) {
        return applyTo(line).parameters().equals(line.parameters());
    }
}
