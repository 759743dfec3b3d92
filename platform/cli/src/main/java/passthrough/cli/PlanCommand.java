package passthrough.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import passthrough.api.PciAddress;
import passthrough.core.plan.CardFunction;
import passthrough.core.plan.Plan;
import passthrough.core.plan.PlanFiles;
import passthrough.core.plan.PlanFinding;
import passthrough.core.plan.PlanRefusedException;
import passthrough.core.plan.PlanRequest;
import passthrough.core.plan.PlannedCommand;
import passthrough.core.plan.PlannedFile;
import passthrough.core.plan.Planner;
import passthrough.core.plan.ReservedDevice;
import passthrough.core.plan.UnifiedDiff;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `passthrough plan --device ADDR`: what reserving the device's group would change, and why. Writes nothing. */
@Command(name = "plan", exitCodeListHeading = "%nExit status:%n", exitCodeList = {" 0:planned (nothing is written)", " 2:usage error", " 3:refused for safety"},
        mixinStandardHelpOptions = true,
        description = {"Show what reserving a GPU's whole IOMMU group at boot would change: the devices, the route "
                + "(vfio-pci or pci-stub), every file edit as a unified diff, every command, warnings. Nothing is written.",
            "Exit 0 with a plan, 3 when refused for safety (the message names the override, if any)."})
final class PlanCommand extends Subcommand implements Callable<Integer> {

    @Option(names = "--device", required = true, paramLabel = "ADDR", description = "A function of the GPU, e.g. 65:00.0; "
            + "repeat it (--device 65:00.0 --device 05:00.0, a USB controller) to reserve several groups in one plan, "
            + "one transaction, one reboot.")
    java.util.List<String> device;

    @Mixin
    ReservationOptions reservation;

    @Option(names = "--out", paramLabel = "PLAN.json", description = "Also save the plan, for `passthrough apply PLAN.json`.")
    Path out;

    @Override
    public Integer call() {
        Plan plan = make(global, reservation, device);
        if (out != null) {
            try {
                Files.writeString(out, PlanFiles.toJson(plan) + "\n");
            } catch (IOException e) {
                throw new UserError(ExitCodes.IO_ERROR, "cannot write " + out + ": " + e.getMessage(), e);
            }
        }
        if (global.json) printJson(PlanFiles.toJson(plan));
        else print(out(), plan, out);
        out().flush();
        return ExitCodes.OK;
    }

    /** Refusals that are the user's slip rather than the host's state: exit 2. */
    private static final java.util.Set<String> USAGE_CODES = java.util.Set.of("NO_SUCH_DEVICE", "DUPLICATE_DEVICE", "SAME_GROUP");

    /** Reads the host and plans; refusals become exit 3 with the planner's message (2 for a slip in the devices). */
    static Plan make(PassthroughCommand global, ReservationOptions reservation, java.util.List<String> device) {
        PlanRequest request = reservation.request(device);
        try (HostSession session = HostSession.open(global, true)) {
            try {
                return Planner.plan(session.root, session.facts, session.plannerPlugins(reservation.bootloader,
                        reservation.earlyModules), request);
            } catch (PlanRefusedException e) {
                // a plugin that failed to load may be why no other binding or writer could step in: never silent
                String unloaded = session.plugins.problems().stream()
                        .map(p -> (p.pluginId() == null ? String.valueOf(p.path()) : p.pluginId()) + ": " + p.message())
                        .collect(java.util.stream.Collectors.joining("; "));
                throw new UserError(USAGE_CODES.contains(e.code()) ? ExitCodes.USAGE : ExitCodes.REFUSED, e.code(),
                        "refused: " + e.getMessage() + (unloaded.isEmpty() ? "" : " (plugins that failed to load, "
                                + "see `passthrough plugins`: " + unloaded + ")"), e, null);
            }
        }
    }

    static void print(PrintWriter out, Plan plan, Path savedTo) {
        String groups = plan.iommuGroups().stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", "));
        out.println((plan.targets().size() > 1
                ? "Plan: reserve, in one transaction, the IOMMU groups of " + plan.targets().stream()
                        .map(t -> t.replaceFirst("^0000:", "")).collect(java.util.stream.Collectors.joining(", "))
                        + (plan.iommuGroup() == null ? " (groups unknown until the IOMMU is on)" : " (groups " + groups + ")")
                : "Plan: reserve the IOMMU group of " + plan.target()
                + (plan.iommuGroup() == null ? " (group unknown until the IOMMU is on)" : plan.iommuGroups().size() > 1
                        ? " and of its card's other functions (groups " + groups + ")"
                        : " (group " + plan.iommuGroup() + ")"))
                + " for " + plan.binding() + (plan.byAddress() ? ", by address" : ", by vendor:device ids"));
        out.println();
        out.println("Devices reserved at the next boot:");
        for (ReservedDevice d : plan.reserved()) {
            out.printf("  %s [%s] %s  (driver now: %s)%n", d.address(), d.id(), d.name(), d.driverNow() == null ? "none" : d.driverNow());
        }
        out.println();
        if (plan.card().stream().anyMatch(f -> !f.reserved() || f.why().startsWith("--with-siblings"))) {
            // the card spans groups: show every function and what happens to it
            out.println("Functions of the card:");
            for (CardFunction f : plan.card()) {
                out.printf("  %s %s (group %s): %s%s%n", f.address(), f.name(), f.group() == null ? "?" : f.group(),
                        f.reserved() ? "reserved, " : "NOT reserved, ", f.why());
            }
            out.println();
        }
        out.println("Kernel command line at the next boot:");
        out.println("  " + plan.kernelParameters());
        out.println();
        if (plan.files().isEmpty()) out.println("Files: none to change.");
        for (PlannedFile f : plan.files()) {
            out.println("File " + f.path() + " (" + f.plugin() + "): " + f.reason());
            out.print(UnifiedDiff.of(f));
            out.println();
        }
        if (!plan.commands().isEmpty()) out.println("Commands, after the files are written:");
        for (PlannedCommand c : plan.commands()) {
            out.println("  " + String.join(" ", c.argv()) + "    # " + c.reason());
            if (!c.undo().isRerun()) out.println("    (rollback: " + c.undo().display() + ")");
        }
        if (!plan.findings().isEmpty()) out.println();
        for (PlanFinding f : plan.findings()) {
            out.println("[" + f.severity().toUpperCase(java.util.Locale.ROOT) + "] " + f.message());
            if (!f.fix().isEmpty()) out.println("        " + f.fix());
        }
        out.println();
        for (PlanFinding f : plan.findings()) {
            if (!"ONLY_KEYBOARD".equals(f.code())) continue; // a hand-edited plan may have a finding without a code
            // the one warning that must not scroll by: the host will have no keyboard after the reboot
            out.println("!!! ---------------------------------------------------------------------------------------");
            out.println("!!! NO KEYBOARD ON THE HOST AFTER THE REBOOT: " + f.message());
            out.println("!!! " + f.fix());
            out.println("!!! ---------------------------------------------------------------------------------------");
            out.println();
        }
        if (plan.changesNothing()) {
            out.println("Nothing to do: the host is already set up for this.");
        } else {
            out.println((plan.rebootRequired() ? "A reboot is required afterwards. " : "") + "Nothing was written.");
            out.println("Apply it with: passthrough apply " + (savedTo != null ? savedTo : devices(plan)));
        }
    }

    /** "--device 0000:65:00.0 --device 0000:05:00.0": the plan's devices as options. */
    static String devices(Plan plan) {
        return plan.targets().stream().map(t -> "--device " + t).collect(java.util.stream.Collectors.joining(" "));
    }
}
