package passthrough.core.verify;

import java.util.List;
import passthrough.api.Finding;
import passthrough.api.Severity;

/**
 * The answer to "did the reservation take after the reboot?".
 *
 * @param target   the device asked about
 * @param group    its IOMMU group, null when the IOMMU is off
 * @param driver   the driver every reserved device must be bound to
 * @param findings errors first; each failure names its likely cause and fix
 */
public record VerifyReport(String target, Integer group, String driver, List<Finding> findings) {

    public VerifyReport {
        findings = findings.stream().sorted((a, b) -> a.severity().compareTo(b.severity())).toList();
    }

    public boolean passed() {
        return findings.stream().noneMatch(f -> f.severity() == Severity.ERROR);
    }
}
