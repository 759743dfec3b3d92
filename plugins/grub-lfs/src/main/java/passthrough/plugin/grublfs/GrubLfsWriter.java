package passthrough.plugin.grublfs;

import java.util.ArrayList;
import java.util.List;
import org.pf4j.Extension;
import passthrough.api.BootloaderWriter;
import passthrough.api.Change;
import passthrough.api.CommandChange;
import passthrough.api.Contribution;
import passthrough.api.FileChange;
import passthrough.api.Finding;
import passthrough.api.HostFacts;
import passthrough.api.KernelCommandLine;
import passthrough.api.KernelParametersChange;

/**
 * Linux From Scratch: no generator, /boot/grub/grub.cfg is kept by hand, and the kernel command line is the
 * arguments of the {@code linux} line of the default menu entry. Only those arguments are edited. A grub.cfg that
 * grub-mkconfig writes (the host has /etc/default/grub) is not this writer's: an edit there would be overwritten.
 */
@Extension
public class GrubLfsWriter implements BootloaderWriter {

    static final String GRUB_CFG = "boot/grub/grub.cfg";
    static final String GRUB_DEFAULTS = "etc/default/grub";

    @Override
    public String id() {
        return "grub-lfs";
    }

    @Override
    public boolean manages(HostFacts facts) {
        return facts.files().containsKey(GRUB_CFG) && !facts.files().containsKey(GRUB_DEFAULTS);
    }

    /** The default entry's linux arguments; empty when the default entry cannot be told (see {@link #change}). */
    @Override
    public KernelCommandLine configuredCommandLine(HostFacts facts) {
        return facts.file(GRUB_CFG)
                .map(text -> DefaultEntry.of(GrubConfigFile.parse(GRUB_CFG, text)))
                .filter(DefaultEntry::found)
                .map(d -> KernelCommandLine.parse(d.linux().arguments()))
                .orElse(KernelCommandLine.empty());
    }

    @Override
    public Contribution change(HostFacts facts, KernelParametersChange change) {
        if (facts.files().containsKey(GRUB_DEFAULTS)) {
            return refuse(Finding.error("GRUB_CFG_GENERATED", GRUB_DEFAULTS + " exists, so " + GRUB_CFG
                    + " is written by grub-mkconfig and a hand edit would be lost at the next update-grub",
                    "use the grub-debian bootloader writer for this host"));
        }
        if (!facts.files().containsKey(GRUB_CFG)) {
            return refuse(Finding.error("GRUB_CFG_MISSING", GRUB_CFG + " does not exist (or could not be read)",
                    "run as root; if GRUB is installed elsewhere, choose the bootloader writer for that set-up"));
        }
        GrubConfigFile cfg = GrubConfigFile.parse(GRUB_CFG, facts.files().get(GRUB_CFG));
        DefaultEntry target = DefaultEntry.of(cfg);
        if (!target.found()) return refuse(target.refusal());

        GrubConfigFile.LinuxLine linux = target.linux();
        KernelCommandLine before = KernelCommandLine.parse(linux.arguments());
        KernelCommandLine after = change.applyTo(before);
        if (after.toString().equals(before.toString())) return new Contribution(List.of(), List.of());

        String entry = "menu entry '" + target.entry().title() + "'";
        GrubConfigFile edited;
        try {
            edited = cfg.withArguments(linux, after.toString());
        } catch (IllegalArgumentException e) {
            return refuse(Finding.error("GRUB_CFG_LINUX_LINE_NOT_EDITABLE", e.getMessage(),
                    "write the kernel arguments on the " + linux.command() + " line by hand, then plan again"));
        }
        List<Change> changes = new ArrayList<>();
        changes.add(new FileChange(GRUB_CFG, edited.text(),
                GRUB_CFG + " line " + linux.line() + ", the " + linux.command() + " line of the default " + entry
                        + ": \"" + before + "\" -> \"" + after + "\" (" + change.reason() + ")"));
        if (facts.hasCommand("grub-script-check")) {
            changes.add(new CommandChange(List.of("grub-script-check", "/" + GRUB_CFG),
                    "check that the edited " + GRUB_CFG + " is still valid GRUB script"));
        }
        List<Finding> findings = List.of(Finding.info("GRUB_CFG_ENTRY", "the default entry is the " + entry + " at "
                + GRUB_CFG + " line " + target.entry().line() + "; only its " + linux.command() + " line changes"));
        return new Contribution(changes, findings);
    }

    private static Contribution refuse(Finding finding) {
        return new Contribution(List.of(), List.of(finding));
    }
}
