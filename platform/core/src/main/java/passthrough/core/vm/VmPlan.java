package passthrough.core.vm;

import java.util.List;
import passthrough.api.VmSpec;
import passthrough.core.plan.PlanFinding;
import passthrough.core.plan.PlannedCommand;
import passthrough.core.plan.PlannedFile;

/**
 * Everything `vm create` will do, as data: the VM, the quirks' features and why, the definition document, and the
 * file edits and commands that {@code --define} applies as one journaled transaction.
 *
 * @param name         the VM
 * @param hypervisor   the plugin that defines it
 * @param hypervisorWhy why that one (asked, the profile's first installed one, ...)
 * @param spec         the VM as the core sized it (before the quirks' features)
 * @param quirks       the quirks that apply, each with its reason
 * @param features     the merged features, each with the quirks that asked for it
 * @param documentPath where the definition is installed, relative to the root
 * @param document     the definition itself (what --out writes)
 * @param files        file edits of --define, in order
 * @param commands     commands of --define, in order
 * @param findings     warnings and explanations
 */
public record VmPlan(String name, String hypervisor, String hypervisorWhy, VmSpec spec, List<AppliedQuirk> quirks,
                     List<AppliedFeature> features, String documentPath, String document, List<PlannedFile> files,
                     List<PlannedCommand> commands, List<PlanFinding> findings) {

    public VmPlan {
        quirks = List.copyOf(quirks);
        features = List.copyOf(features);
        files = List.copyOf(files);
        commands = List.copyOf(commands);
        findings = List.copyOf(findings);
    }

    /** A quirk that applies, and what it says about this VM. */
    public record AppliedQuirk(String id, String why) {
    }

    /** A feature of the VM and the quirks that asked for it. */
    public record AppliedFeature(String name, String value, String key, List<String> quirks) {
        public AppliedFeature {
            quirks = List.copyOf(quirks);
        }
    }

    public boolean changesNothing() {
        return files.isEmpty() && commands.isEmpty();
    }
}
