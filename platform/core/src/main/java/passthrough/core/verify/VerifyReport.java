package passthrough.core.verify;

import java.util.List;
import passthrough.api.Finding;
import passthrough.api.Severity;

/**
 * The answer to "did the reservation take after the reboot?".
 *
 * @param target   the (first) device asked about
 * @param targets  every device asked about (verify --device A --device B), {@code target} first
 * @param group    its IOMMU group, null when the IOMMU is off
 * @param groups   the group of each device asked about, in order, where known (its card's other groups aside)
 * @param driver   the driver every reserved device must be bound to
 * @param findings errors first; each failure names its likely cause and fix
 */
public record VerifyReport(String target, List<String> targets, Integer group, List<Integer> groups, String driver,
                           List<Finding> findings) {

    public VerifyReport(String target, Integer group, String driver, List<Finding> findings) {
        this(target, List.of(target), group, group == null ? List.of() : List.of(group), driver, findings);
    }

    public VerifyReport {
        targets = List.copyOf(targets);
        groups = List.copyOf(groups);
        findings = findings.stream().sorted((a, b) -> a.severity().compareTo(b.severity())).toList();
    }

    public boolean passed() {
        return findings.stream().noneMatch(f -> f.severity() == Severity.ERROR);
    }
}
