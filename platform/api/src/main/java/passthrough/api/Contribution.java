package passthrough.api;

import java.util.List;

/** What one plugin adds to a plan: changes, and findings (warnings, explanations) to show with them. */
public record Contribution(List<Change> changes, List<Finding> findings) {

    public Contribution {
        changes = List.copyOf(changes);
        findings = List.copyOf(findings);
    }

    public static Contribution of(List<Change> changes) {
        return new Contribution(changes, List.of());
    }
}
