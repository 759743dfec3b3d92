package passthrough.cli;

import java.io.IOException;
import passthrough.core.host.HostNeeds;
import passthrough.core.host.HostRoot;
import passthrough.core.plugins.PluginRegistry;
import passthrough.core.profiles.Profile;
import passthrough.core.profiles.ProfileCatalog;
import passthrough.core.profiles.ProfileChoice;
import passthrough.core.profiles.ProfiledPlugins;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import passthrough.cli.json.ReportJson;
import passthrough.core.host.HostRootException;
import passthrough.core.report.HostReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `passthrough report --out host.tar.gz`: capture what the tool reads, to share or to test with. */
@Command(name = "report", exitCodeListHeading = "%nExit status:%n", exitCodeList = {" 0:the archive was written", " 2:usage error", " 4:the archive could not be written"},
        mixinStandardHelpOptions = true,
        description = {"Capture exactly what passthrough reads from this host (the sysfs subset, proc files, "
                + "os-release, boot and module configuration) into a tar.gz.",
            "Unpacked, it is a valid --root: `mkdir h && tar xzf host.tar.gz -C h && passthrough --root h check`.",
            "Run it as root: some files (ACPI tables, grub.cfg) are readable only by root."})
final class ReportCommand extends Subcommand implements Callable<Integer> {
    @Option(names = "--out", required = true, paramLabel = "FILE.tar.gz", description = "Where to write the archive.")
    Path out;

    /**
     * What any loaded plugin and any known profile reads, not only the chosen one's: the archive is replayed later,
     * perhaps with another profile (--profile) or with the plugin a developer is writing for this host.
     */
    private HostNeeds everythingRead() throws HostRootException {
        HostRoot root = HostRoot.open(global.root, null);
        HostNeeds needs;
        try (PluginRegistry registry = PluginRegistry.loadFrom(global.pluginDirectories())) {
            needs = ProfiledPlugins.of(registry, new ProfileChoice(null, ProfileChoice.How.NONE, "")).needs();
        }
        for (Profile p : ProfileCatalog.load(ProfileCatalog.shippedDirectory(), root).profiles()) {
            needs = needs.plus(ProfiledPlugins.needsOf(p));
        }
        return needs;
    }

    @Override
    public Integer call() {
        HostReport.Summary s;
        try {
            s = HostReport.capture(global.root, out, everythingRead());
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
