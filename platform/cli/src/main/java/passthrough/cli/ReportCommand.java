package passthrough.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import passthrough.cli.json.ReportJson;
import passthrough.core.host.HostRootException;
import passthrough.core.report.HostReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `passthrough report --out host.tar.gz`: capture what the tool reads, to share or to test with. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Capture exactly what passthrough reads from this host (the sysfs subset, proc files, "
                + "os-release, boot and module configuration) into a tar.gz.",
            "Unpacked, it is a valid --root: `mkdir h && tar xzf host.tar.gz -C h && passthrough --root h check`.",
            "Run it as root: some files (ACPI tables, grub.cfg) are readable only by root."})
final class ReportCommand extends Subcommand implements Callable<Integer> {
    @Option(names = "--out", required = true, paramLabel = "FILE.tar.gz", description = "Where to write the archive.")
    Path out;

    @Override
    public Integer call() {
        HostReport.Summary s;
        try {
            s = HostReport.capture(global.root, out);
        } catch (HostRootException e) {
            throw new UserError(ExitCodes.USAGE, e.getMessage(), e);
        } catch (IOException e) {
            throw new UserError(ExitCodes.IO_ERROR, "cannot write " + out + ": " + e.getMessage()
                    + "; choose a writable place with --out", e);
        }
        PrintWriter pw = out();
        if (global.json) {
            printJson(new ReportJson(s.archive().toString(), s.bytes(), s.files(), s.symlinks(), s.directories(),
                    s.facts().devices().size(), s.facts().groups().size()));
        } else {
            pw.printf("Wrote %s (%,d bytes): %d files, %d links, %d directories; %d PCI devices, %d IOMMU groups.%n",
                    s.archive(), s.bytes(), s.files(), s.symlinks(), s.directories(), s.facts().devices().size(),
                    s.facts().groups().size());
            pw.println("Read it back: mkdir host && tar xzf " + s.archive().getFileName() + " -C host && passthrough --root host check");
            // readProblems also holds notes (a device placed in its VMD controller's group): those are no read problem
            var problems = s.facts().readProblems().stream().filter(p -> p.severity() != passthrough.api.Severity.INFO).toList();
            if (!problems.isEmpty()) {
                pw.println("Some files could not be read (they are missing from the report):");
                problems.forEach(p -> pw.println("  " + p.message()));
            }
            pw.flush();
        }
        return ExitCodes.OK;
    }
}
