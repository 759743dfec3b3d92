package passthrough.core.plan;

import java.util.List;

/**
 * Everything an apply will do, as data: shown as a diff, saved as JSON, applied later. Nothing in it is computed
 * again at apply time except the check that each file still has {@code beforeDigest}.
 *
 * @param format          plan format version
 * @param root            the host root it was made for
 * @param target          the (first) device the user named
 * @param targets         every device the user named (--device A --device B), in order, {@code target} first: one
 *                        plan, one transaction, one reboot for all their groups. A plan saved before several devices
 *                        could be named reads as {@code [target]}
 * @param iommuGroup      the target's group, null when the IOMMU is off (then the group is known only after the reboot)
 * @param iommuGroups     every group the plan reserves: for each named device in order, its group, then its card's other
 *                        functions' groups taken with --with-siblings (empty when the IOMMU is off)
 * @param card            every function of each named device's card (slot), with what the plan does with it
 * @param binding         the route chosen: "vfio-pci" or "pci-stub"
 * @param byAddress       devices are reserved by address (identical ids elsewhere)
 * @param reserved        the devices reserved at boot
 * @param kernelParameters the command line the next boot will have
 * @param files           file edits, in order
 * @param commands        commands after the files, in order
 * @param findings        warnings and explanations
 * @param rebootRequired  whether a reboot is needed for the change to take effect
 */
public record Plan(int format, String root, String target, List<String> targets, Integer iommuGroup, List<Integer> iommuGroups,
                   List<CardFunction> card, String binding, boolean byAddress,
                   List<ReservedDevice> reserved, String kernelParameters, List<PlannedFile> files,
                   List<PlannedCommand> commands, List<PlanFinding> findings, boolean rebootRequired) {

    public static final int FORMAT = 1;

    public Plan {
        // a plan saved before these fields existed reads as "the target's group only"
        targets = targets == null ? (target == null ? List.of() : List.of(target))
                : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(targets));
        // null elements are kept (not List.copyOf's NullPointerException) so PlanFiles can name the field of a hand-edited plan
        iommuGroups = iommuGroups == null ? (iommuGroup == null ? List.of() : List.of(iommuGroup))
                : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(iommuGroups));
        card = card == null ? List.of() : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(card));
        reserved = List.copyOf(reserved);
        files = List.copyOf(files);
        commands = List.copyOf(commands);
        findings = List.copyOf(findings);
    }

    public boolean changesNothing() {
        return files.isEmpty() && commands.isEmpty();
    }
}
