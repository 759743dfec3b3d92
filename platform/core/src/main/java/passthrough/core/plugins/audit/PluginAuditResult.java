package passthrough.core.plugins.audit;

import java.util.ArrayList;
import java.util.List;

/**
 * What the audit of one plugin jar found.
 *
 * @param jar        the jar's file name
 * @param sha256     SHA-256 hex of the jar's bytes: the record beside an installed jar is only valid for these bytes
 * @param manifest   its pf4j manifest fields and their problems
 * @param classCount how many classes were read
 * @param violations every forbidden call or mention, in class and line order
 * @param problems   why the jar could not be read at all (corrupt zip, unreadable class file); empty normally
 */
public record PluginAuditResult(String jar, String sha256, PluginManifest manifest, int classCount,
                                List<AuditViolation> violations, List<String> problems) {

    public PluginAuditResult {
        violations = List.copyOf(violations);
        problems = List.copyOf(problems);
    }

    /** Nothing forbidden, a valid manifest, every class read: safe to install without --trust. */
    public boolean clean() {
        return violations.isEmpty() && problems.isEmpty() && manifest.valid();
    }

    /** Every reason not to install it: manifest problems, read problems, then each violation. */
    public List<String> reasons() {
        List<String> out = new ArrayList<>(manifest.problems());
        out.addAll(problems);
        violations.forEach(v -> out.add(v.toString()));
        return out;
    }
}
