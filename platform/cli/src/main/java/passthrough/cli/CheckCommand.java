package passthrough.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import passthrough.api.Finding;
import passthrough.api.FirmwareTable;
import passthrough.api.HostFacts;
import passthrough.api.KernelParameter;
import passthrough.api.Presence;
import passthrough.cli.json.CheckJson;
import passthrough.core.check.ReadinessCheck;
import passthrough.core.check.ReadinessReport;
import passthrough.core.profiles.ProfileChoice;
import passthrough.core.profiles.ProfileFindings;
import picocli.CommandLine.Command;

/** `passthrough check`: can this machine do GPU passthrough? */
@Command(name = "check", exitCodeListHeading = "%nExit status:%n", exitCodeList = {" 0:ready for passthrough", " 1:not ready (the [ERROR] lines say what to fix)", " 2:usage error"},
        mixinStandardHelpOptions = true,
        description = {"Readiness report: CPU virtualization, IOMMU firmware table, IOMMU active (and the kernel "
                + "parameters that turn it on), command-line conflicts, vfio-pci / pci-stub, distribution.",
            "Exit 0 when ready, 1 when not."})
final class CheckCommand extends Subcommand implements Callable<Integer> {
    @Override
    public Integer call() {
        try (HostSession session = HostSession.open(global, true)) {
            ReadinessReport report = ReadinessCheck.run(session.facts, session.probes(),
                    ProfileFindings.of(session.profiled.choice(), session.facts, session.root));
            ProfileChoice profile = session.profiled.choice();
            PrintWriter out = out();
            if (global.json) printJson(toJson(report, profile));
            else print(out, report, profile);
            return report.ready() ? ExitCodes.OK : ExitCodes.NOT_READY;
        }
    }

    private static String firmware(ReadinessReport r) {
        HostFacts f = r.facts();
        if (r.requirement() != null) return f.firmwareTable(r.requirement().firmwareTable()).jsonName();
        Presence dmar = f.firmwareTable(FirmwareTable.DMAR);
        Presence ivrs = f.firmwareTable(FirmwareTable.IVRS);
        if (dmar == Presence.PRESENT || ivrs == Presence.PRESENT) return "present";
        if (dmar == Presence.UNKNOWN || ivrs == Presence.UNKNOWN) return "unknown";
        return "absent";
    }

    private static String requiredParameters(ReadinessReport r) {
        return r.iommuRequirement().map(q -> q.parametersToSet().stream().map(KernelParameter::toString)
                .collect(Collectors.joining(" "))).orElse(null);
    }

    static CheckJson toJson(ReadinessReport r, ProfileChoice profile) {
        HostFacts f = r.facts();
        return new CheckJson(r.ready(),
                new CheckJson.Cpu(f.cpu().vendor().jsonName(), f.cpu().modelName(), f.cpu().virtualization()),
                new CheckJson.Iommu(r.iommuRequirement().map(q -> q.technology()).orElse(null), r.probeId(),
                        firmware(r), f.iommuActive(), f.groups().size(), f.iommuUnits(), requiredParameters(r)),
                new CheckJson.Kernel(f.kernelRelease(), f.commandLine().toString()),
                new CheckJson.Distribution(f.os().id(), f.os().versionId(), f.os().prettyName()),
                new CheckJson.Drivers(r.vfioPci().jsonName(), r.pciStub().jsonName()),
                new CheckJson.ProfileJson(profile.id(), profile.how().jsonName(), profile.reason()),
                r.findings().stream().map(x -> new CheckJson.FindingJson(x.severity().jsonName(), x.code(),
                        x.message(), x.fix())).toList());
    }

    private static void print(PrintWriter out, ReadinessReport r, ProfileChoice profile) {
        HostFacts f = r.facts();
        out.println("passthrough check: " + f.os().prettyName()
                + (f.kernelRelease() == null ? "" : ", kernel " + f.kernelRelease()));
        out.println();
        String cpu = f.cpu().known() ? (f.cpu().modelName() == null ? f.cpu().vendor().jsonName() : f.cpu().modelName())
                + ", " + f.cpu().virtualizationFlag() + ": " + (f.cpu().virtualization() ? "yes" : "NO") : "unknown";
        out.printf("  %-10s %s%n", "CPU", cpu);
        String tech = r.iommuRequirement().map(q -> q.technology() + ", ACPI " + q.firmwareTable() + " table "
                + f.firmwareTable(q.firmwareTable()).jsonName()).orElse("no probe for this platform");
        out.printf("  %-10s %s; %s%n", "IOMMU", tech, f.iommuActive() ? "active, " + f.groups().size() + " groups" : "NOT active");
        out.printf("  %-10s %s%n", "cmdline", f.commandLine().toString().isEmpty() ? "(empty or unknown)" : f.commandLine());
        if (requiredParameters(r) != null) out.printf("  %-10s %s%n", "needs", requiredParameters(r));
        out.printf("  %-10s vfio-pci %s, pci-stub %s%n", "drivers", r.vfioPci().jsonName(), r.pciStub().jsonName());
        out.printf("  %-10s %s%n", "profile", profile.found() ? profile.id() + " (" + profile.how().jsonName() + ")"
                : "none (see below)");
        out.println();
        for (Finding x : r.findings()) {
            String tag = switch (x.severity()) {
                case ERROR -> "[ERROR]";
                case WARNING -> "[WARN] ";
                case INFO -> "[ok]   ";
            };
            out.println(tag + " " + x.message());
            if (!x.fix().isEmpty()) out.println("        fix: " + x.fix());
        }
        out.println();
        long errors = r.findings().stream().filter(x -> x.severity() == passthrough.api.Severity.ERROR).count();
        out.println(r.ready() ? "READY for passthrough." : "NOT READY: " + errors + " problem" + (errors == 1 ? "" : "s")
                + " to fix (see [ERROR] lines).");
        out.flush();
    }
}
