package passthrough.plugin.rpmostree;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.pf4j.Extension;
import passthrough.api.BootloaderWriter;
import passthrough.api.CommandChange;
import passthrough.api.CommandUndo;
import passthrough.api.Contribution;
import passthrough.api.Finding;
import passthrough.api.HostFacts;
import passthrough.api.KernelCommandLine;
import passthrough.api.KernelParameter;
import passthrough.api.KernelParametersChange;

/**
 * Fedora Atomic (Silverblue, Kinoite, ...), Fedora IoT/CoreOS: kernel arguments belong to the deployment, and
 * {@code rpm-ostree kargs} stages a new deployment with the changed arguments, which the next boot takes. The next
 * boot's line is read from the default deployment's BLS entry ({@code boot/loader/entries/ostree-1-*.conf}). Nothing in
 * /etc or /boot is written by this plugin: the command carries its inverse for rollback.
 *
 * <p>What was checked: rpm-ostree kargs (Fedora CoreOS "Modifying Kernel Arguments", RHEL 9 image-mode docs):
 * {@code --append=KEY=VALUE}, {@code --replace=KEY=VALUE=NEWVALUE} (only when the key has one value),
 * {@code --delete=KEY=VALUE}, {@code --append-if-missing=KEY=VALUE} (nothing when the key is there),
 * {@code --delete-if-present=KEY=VALUE} (nothing when it is not); changes go to a new deployment and need a reboot.
 * The -if-missing / -if-present forms are used, so a plan made again before the reboot (the staged deployment is not
 * visible in /boot until ostree-finalize-staged writes it at shutdown) adds nothing twice.
 */
@Extension
public class RpmOstreeKargs implements BootloaderWriter {

    @Override
    public String id() {
        return "rpm-ostree";
    }

    @Override
    public List<String> hostFiles() {
        return OstreeHost.hostFiles();
    }

    @Override
    public List<String> hostCommands() {
        return List.of(OstreeHost.RPM_OSTREE);
    }

    @Override
    public boolean manages(HostFacts facts) {
        return OstreeHost.isOstree(facts.files(), facts.hasCommand(OstreeHost.RPM_OSTREE));
    }

    @Override
    public KernelCommandLine configuredCommandLine(HostFacts facts) {
        List<Map.Entry<String, String>> entries = OstreeHost.entries(facts.files());
        return entries.isEmpty() ? KernelCommandLine.empty() : KernelCommandLine.parse(OstreeHost.options(entries.get(0).getValue())[0]);
    }

    @Override
    public Contribution change(HostFacts facts, KernelParametersChange change) {
        List<Map.Entry<String, String>> entries = OstreeHost.entries(facts.files());
        if (!manages(facts)) {
            return refuse(Finding.error("RPM_OSTREE_NOT_MANAGING", "this host is no rpm-ostree system (no rpm-ostree, or "
                    + "neither /" + OstreeHost.BOOTED + " nor ostree's entries in /" + OstreeHost.ENTRIES + ")",
                    "choose the bootloader writer for this host (--bootloader ID)"));
        }
        if (entries.isEmpty()) {
            return refuse(Finding.error("OSTREE_ENTRIES_MISSING", "no ostree-*.conf entry in /" + OstreeHost.ENTRIES
                    + " is readable, so the deployment's arguments are unknown", "run as root on the host (`rpm-ostree kargs` "
                    + "prints them), or add the arguments with `rpm-ostree kargs --append=...` yourself"));
        }
        String entry = entries.get(0).getKey();
        KernelCommandLine before = configuredCommandLine(facts);
        KernelCommandLine after = change.applyTo(before);
        if (after.parameters().equals(before.parameters())) return new Contribution(List.of(), List.of());
        List<String> argv = new ArrayList<>(List.of(OstreeHost.RPM_OSTREE, "kargs"));
        List<String> undo = new ArrayList<>(List.of(OstreeHost.RPM_OSTREE, "kargs"));
        for (KernelParameter p : after.parameters()) {
            if (before.parameters().contains(p)) continue;
            if (bad(p)) return notPassable(entry, p);
            var old = before.all(p.name());
            if (old.isEmpty()) {
                argv.add("--append-if-missing=" + p);
                undo.add("--delete-if-present=" + p);
            } else if (old.size() == 1 && !bad(old.get(0)) && p.value() != null && old.get(0).value() != null) {
                argv.add("--replace=" + p.name() + "=" + old.get(0).value() + "=" + p.value());
                undo.add("--replace=" + p.name() + "=" + p.value() + "=" + old.get(0).value());
            } else {
                for (KernelParameter o : old) {
                    if (bad(o)) return notPassable(entry, o);
                    argv.add("--delete-if-present=" + o);
                    undo.add("--append-if-missing=" + o);
                }
                argv.add("--append-if-missing=" + p);
                undo.add(2, "--delete-if-present=" + p);
            }
        }
        for (KernelParameter p : before.parameters()) {
            if (after.last(p.name()).isPresent()) continue;
            if (bad(p)) return notPassable(entry, p);
            argv.add("--delete-if-present=" + p);
            undo.add("--append-if-missing=" + p);
        }
        return new Contribution(List.of(new CommandChange(argv, "rpm-ostree stages a new deployment whose kernel arguments "
                + "are \"" + after + "\" instead of \"" + before + "\" (" + entry + "), which the next boot takes ("
                + change.reason() + ")", new CommandUndo.Run(undo))), List.of(Finding.info("RPM_OSTREE_STAGED", "rpm-ostree changes take effect "
                + "in the staged deployment at the next reboot; `rpm-ostree status` shows it")));
    }

    /** A value rpm-ostree's KEY=VALUE=NEWVALUE form or a single argv word cannot carry unambiguously. */
    private static boolean bad(KernelParameter p) {
        return p.value() != null && (p.value().contains("=") || p.value().chars().anyMatch(c -> Character.isWhitespace(c) || c == '"'));
    }

    private static Contribution notPassable(String entry, KernelParameter p) {
        return refuse(Finding.error("RPM_OSTREE_ARGUMENT_NOT_PASSABLE", entry + ": \"" + p + "\" holds '=', a space or a "
                + "quote in its value, which rpm-ostree kargs' KEY=VALUE forms cannot carry unambiguously",
                "change it with `rpm-ostree kargs --editor`, then plan again"));
    }

    private static Contribution refuse(Finding f) {
        return new Contribution(List.of(), List.of(f));
    }
}
