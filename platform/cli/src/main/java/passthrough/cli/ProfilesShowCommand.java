package passthrough.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import passthrough.cli.json.ProfileShowJson;
import passthrough.core.host.HostRoot;
import passthrough.core.profiles.Profile;
import passthrough.core.profiles.ProfileCatalog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** `passthrough profiles show ID`: what a profile says, in words. */
@Command(name = "show", exitCodeListHeading = "%nExit status:%n", exitCodeList = {" 0:shown", " 2:usage error (an unknown profile)"},
        mixinStandardHelpOptions = true,
        description = "Show one profile: what it matches, the plugins per extension point in order of preference, their "
                + "settings, the guest firmware, host quirks, packages and notes, and the file it comes from.")
final class ProfilesShowCommand extends NestedSubcommand implements Callable<Integer> {
    @Parameters(paramLabel = "ID", description = "A profile id, e.g. debian-12 (`passthrough profiles list`).")
    String id;

    @Override
    public Integer call() {
        HostRoot root = ProfileCommands.root(global());
        ProfileCatalog catalog = ProfileCatalog.load(ProfileCatalog.shippedDirectory(), root);
        ProfileCatalog.Entry e = catalog.entry(id).orElseThrow(() -> new UserError(ExitCodes.USAGE, "PROFILE_UNKNOWN",
                "no profile '" + id + "' (known: " + String.join(", ", catalog.profiles().stream().map(Profile::id).toList())
                        + "); `passthrough profiles list` shows them", null, null));
        Profile p = e.profile();
        if (global().json) {
            printJson(ProfileShowJson.of(p, e.origin().name().toLowerCase(java.util.Locale.ROOT)));
            return ExitCodes.OK;
        }
        PrintWriter out = out();
        out.println(p.id() + ": " + p.name() + " (" + e.origin().name().toLowerCase(java.util.Locale.ROOT) + ", " + p.source() + ")");
        out.println("  matches    /etc/os-release ID=" + p.match().id() + ", "
                + (p.match().versions() == null ? "any version" : "VERSION_ID " + p.match().versions())
                + ProfileCommands.evidence(p.match()));
        var pl = p.plugins();
        String open = "(any that manages the host)";
        row(out, "probes", pl.hardwareProbes(), "(the one that recognises the CPU)");
        row(out, "bindings", pl.bindings(), "(vfio-pci, then pci-stub)");
        row(out, "bootloader", pl.bootloaders(), open);
        row(out, "early boot", pl.earlyModuleLoaders(), open);
        row(out, "hypervisor", pl.hypervisors(), "(none named)");
        row(out, "quirks", pl.guestQuirks(), "(none named; every loaded quirk advises)");
        for (Map.Entry<String, Map<String, String>> s : p.settings().entrySet()) {
            for (Map.Entry<String, String> kv : s.getValue().entrySet()) {
                out.println("  setting    " + s.getKey() + "." + kv.getKey() + " = " + kv.getValue());
            }
        }
        if (p.firmware() != null) {
            out.println("  OVMF       code " + String.join(" or ", p.firmware().ovmfCode()) + "; variables "
                    + String.join(" or ", p.firmware().ovmfVars())
                    + (p.firmware().ovmfPackage() == null ? "" : " (package " + p.firmware().ovmfPackage() + ")"));
        }
        for (Profile.HostQuirk q : p.hostQuirks()) {
            out.println("  quirk      " + q.file() + ": " + q.key() + " = " + q.value() + " (" + q.why() + ")");
        }
        if (p.packages() != null) {
            out.println("  packages   " + p.packages().install() + " " + String.join(" ",
                    p.packages().needed().stream().map(Profile.Package::name).distinct().toList()));
        }
        for (String n : p.notes()) out.println("  note       " + n);
        out.flush();
        return ExitCodes.OK;
    }

    private static void row(PrintWriter out, String what, List<String> ids, String whenEmpty) {
        out.printf("  %-10s %s%n", what, ids.isEmpty() ? whenEmpty : String.join(", ", ids)
                + (ids.size() > 1 ? "  (in order of preference)" : ""));
    }
}
