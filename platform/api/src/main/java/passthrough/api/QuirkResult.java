package passthrough.api;

import java.util.List;

/**
 * What a {@link GuestQuirk} adds to a VM: features, the reason in the user's words (shown with the plan), and
 * findings (warnings that cost nothing, e.g. a card with a reset bug).
 */
public record QuirkResult(List<VmFeature> features, String why, List<Finding> findings) {

    public QuirkResult {
        features = List.copyOf(features);
        findings = List.copyOf(findings);
        why = why == null ? "" : why;
    }

    /** The quirk does not apply to this VM. */
    public static QuirkResult none() {
        return new QuirkResult(List.of(), "", List.of());
    }

    public static QuirkResult of(String why, VmFeature... features) {
        return new QuirkResult(List.of(features), why, List.of());
    }

    public static QuirkResult warnings(List<Finding> findings) {
        return new QuirkResult(List.of(), "", findings);
    }

    public boolean applies() {
        return !features.isEmpty() || !findings.isEmpty();
    }
}
