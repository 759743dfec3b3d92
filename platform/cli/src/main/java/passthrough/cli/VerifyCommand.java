package passthrough.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import passthrough.api.Finding;
import passthrough.api.PciAddress;
import passthrough.cli.json.VerifyJson;
import passthrough.core.verify.Verifier;
import passthrough.core.verify.VerifyReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `passthrough verify --device ADDR`: after the reboot, is the whole group reserved? */
@Command(name = "verify", exitCodeListHeading = "%nExit status:%n", exitCodeList = {" 0:every device of the group is reserved as planned", " 1:not as planned (each failure names its cause)", " 2:usage error"},
        mixinStandardHelpOptions = true,
        description = {"After the reboot: IOMMU active, command line as planned, EVERY device of the group bound to "
                + "the stub driver, /dev/vfio/<group> present. Each failure names its likely cause and fix.",
            "Exit 0 when all hold, 1 otherwise."})
final class VerifyCommand extends Subcommand implements Callable<Integer> {

    @Option(names = "--device", required = true, paramLabel = "ADDR", description = "A function of the reserved GPU; "
            + "repeat it for every device the plan named (each one's group is checked).")
    java.util.List<String> device;

    @Option(names = "--binding", paramLabel = "auto|vfio-pci|pci-stub", defaultValue = "auto",
            description = "The driver expected (default: the stub driver found in the group, else vfio-pci).")
    String binding;

    @Option(names = "--with-siblings", description = "The plan reserved the card's functions in other IOMMU groups too "
            + "(`plan --with-siblings`): check their groups as well.")
    boolean withSiblings;

    @Override
    public Integer call() {
        try (HostSession session = HostSession.open(global, true)) {
            VerifyReport r = Verifier.verify(session.root, session.facts, session.probes(),
                    device.stream().map(PciAddress::parse).toList(), binding, withSiblings);
            PrintWriter out = out();
            if (global.json) {
                printJson(new VerifyJson(r.passed(), r.passed() ? "verified" : "not-verified", r.target(), r.targets(),
                        r.group(), r.groups(), r.driver(), r.findings().stream().map(VerifyCommand::finding).toList()));
            } else {
                out.println("passthrough verify: " + String.join(", ", r.targets()) + (r.group() == null ? ""
                        : r.groups().size() > 1 ? " (IOMMU groups " + r.groups().stream().map(String::valueOf)
                                .collect(java.util.stream.Collectors.joining(", ")) + ")" : " (IOMMU group " + r.group() + ")")
                        + ", expected driver " + r.driver());
                for (Finding f : r.findings()) {
                    out.println((f.severity() == passthrough.api.Severity.ERROR ? "[FAIL] " : f.severity()
                            == passthrough.api.Severity.WARNING ? "[WARN] " : "[ok]   ") + f.message());
                    if (!f.fix().isEmpty()) out.println("       fix: " + f.fix());
                }
                out.println(r.passed() ? (r.groups().size() > 1 ? "VERIFIED: every group is reserved; they can be given "
                        + "to a VM." : "VERIFIED: the whole group is reserved; it can be given to a VM.")
                        : r.groups().size() > 1 ? "NOT VERIFIED: do not give these groups to a VM yet."
                        : "NOT VERIFIED: do not give this group to a VM yet.");
                out.flush();
            }
            return r.passed() ? ExitCodes.OK : ExitCodes.NOT_READY;
        }
    }

    private static VerifyJson.CheckResult finding(Finding f) {
        String status = switch (f.severity()) {
            case ERROR -> "fail";
            case WARNING -> "warn";
            case INFO -> "pass";
        };
        return new VerifyJson.CheckResult(status, f.severity().jsonName(), f.code(), f.message(), f.fix());
    }
}
