package passthrough.plugin.grubdebian;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.pf4j.Extension;
import passthrough.api.BootloaderWriter;
import passthrough.api.Change;
import passthrough.api.CommandChange;
import passthrough.api.Contribution;
import passthrough.api.FileChange;
import passthrough.api.Finding;
import passthrough.api.HostFacts;
import passthrough.api.KernelCommandLine;
import passthrough.api.KernelParameter;
import passthrough.api.KernelParametersChange;
import passthrough.api.PluginSettings;

/**
 * Debian/Ubuntu GRUB: the default entry boots with {@code GRUB_CMDLINE_LINUX GRUB_CMDLINE_LINUX_DEFAULT} from
 * /etc/default/grub and the /etc/default/grub.d/*.cfg files sourced after it; update-grub (grub-mkconfig) writes
 * grub.cfg from them. Each variable is edited where its winning assignment is; nothing else in the files changes.
 */
@Extension
public class GrubDebianWriter implements BootloaderWriter {

    @Override
    public String id() {
        return "grub-debian";
    }

    /** The regenerate command a profile may set (Arch: {@code grub-mkconfig -o /boot/grub/grub.cfg}). */
    static final String REGENERATE = "regenerate";

    /** The profile's regenerate command, split on blanks; null: the first of update-grub, grub-mkconfig, grub2-mkconfig. */
    private final List<String> regenerate;

    public GrubDebianWriter() {
        this(null);
    }

    private GrubDebianWriter(List<String> regenerate) {
        this.regenerate = regenerate;
    }

    @Override
    public List<String> hostFiles() {
        return List.of(GrubDefaults.MAIN, GrubDefaults.DROP_IN_DIR + "*.cfg");
    }

    @Override
    public List<String> hostCommands() {
        return List.of("update-grub", "grub-mkconfig", "grub2-mkconfig");
    }

    @Override
    public java.util.Set<String> settingNames() {
        return java.util.Set.of(REGENERATE);
    }

    @Override
    public BootloaderWriter withSettings(PluginSettings settings) {
        return settings.value(REGENERATE).map(v -> new GrubDebianWriter(List.of(v.strip().split("\\s+"))))
                .orElse(this);
    }

    /**
     * GRUB defaults that feed grub.cfg's linux lines. Not with GRUB_ENABLE_BLSCFG=true (Fedora, RHEL): there grub.cfg
     * boots Boot Loader Specification entries whose options grubby keeps, and a changed GRUB_CMDLINE_LINUX reaches
     * only kernels installed later, so the next boot would likely not see the edit.
     */
    @Override
    public boolean manages(HostFacts facts) {
        if (!facts.files().containsKey(GrubDefaults.MAIN)) return false;
        return !"true".equals(GrubDefaults.of(facts.files()).value("GRUB_ENABLE_BLSCFG").strip());
    }

    @Override
    public KernelCommandLine configuredCommandLine(HostFacts facts) {
        return KernelCommandLine.parse(GrubDefaults.of(facts.files()).commandLine());
    }

    @Override
    public Contribution change(HostFacts facts, KernelParametersChange change) {
        List<Finding> findings = new ArrayList<>();
        if (!manages(facts)) {
            findings.add(Finding.error("GRUB_DEFAULT_MISSING", GrubDefaults.MAIN + " does not exist on this host",
                    "choose the bootloader writer that matches this host's boot set-up"));
            return new Contribution(List.of(), findings);
        }
        GrubDefaults defaults = GrubDefaults.of(facts.files());
        for (GrubDefaultFile f : defaults.files()) {
            if (f.usesCrlf()) {
                findings.add(Finding.warning("GRUB_DEFAULT_CRLF", f.path() + " has Windows (CR LF) line ends: "
                        + "/bin/sh reads the CR as part of each value", "convert it with `dos2unix /" + f.path() + "`"));
            }
        }

        KernelCommandLine linux = KernelCommandLine.parse(defaults.value(GrubDefaults.LINUX));
        KernelCommandLine linuxDefault = KernelCommandLine.parse(defaults.value(GrubDefaults.LINUX_DEFAULT));
        KernelCommandLine newLinux = linux;
        KernelCommandLine newDefault = linuxDefault;
        // removals come out of whichever variable holds them; a set parameter stays where it is, else goes to _DEFAULT
        for (KernelParameter p : change.remove()) {
            newLinux = newLinux.without(p);
            newDefault = newDefault.without(p);
        }
        for (KernelParameter p : change.set()) {
            if (newDefault.last(p.name()).isPresent()) {
                newDefault = newDefault.with(p);
                newLinux = newLinux.without(KernelParameter.flag(p.name()));
            } else if (newLinux.last(p.name()).isPresent()) {
                newLinux = newLinux.with(p);
            } else {
                newDefault = newDefault.with(p);
            }
        }

        Map<String, GrubDefaultFile> edited = new LinkedHashMap<>();
        List<String> reasons = new ArrayList<>();
        boolean refused = false;
        for (var variable : List.of(Map.entry(GrubDefaults.LINUX, newLinux), Map.entry(GrubDefaults.LINUX_DEFAULT, newDefault))) {
            String name = variable.getKey();
            String oldValue = defaults.value(name);
            String newValue = variable.getValue().toString();
            if (oldValue.equals(newValue)) continue;
            Optional<GrubDefaults.Located> effective = defaults.effective(name);
            if (effective.isEmpty()) {
                GrubDefaultFile main = edited.getOrDefault(GrubDefaults.MAIN, defaults.files().get(0));
                try {
                    edited.put(GrubDefaults.MAIN, main.withAppended(name, newValue));
                } catch (IllegalArgumentException e) {
                    findings.add(Finding.error("GRUB_DEFAULT_NOT_EDITABLE", e.getMessage() + "; passthrough will not add it",
                            "add " + name + "=\"" + newValue + "\" to " + GrubDefaults.MAIN + " by hand, then plan again"));
                    refused = true;
                    continue;
                }
                reasons.add(GrubDefaults.MAIN + ": add " + name + "=\"" + newValue + "\"");
                continue;
            }
            GrubDefaults.Located at = effective.get();
            Optional<String> problem = at.assignment().problem();
            if (problem.isPresent()) {
                findings.add(Finding.error("GRUB_DEFAULT_NOT_EDITABLE", at.where() + " sets " + name + " and "
                        + problem.get() + "; passthrough will not rewrite it", "edit " + at.where() + " by hand: "
                        + describe(change) + ", or make it a plain value such as " + name + "=\"" + newValue
                        + "\", then plan again"));
                refused = true;
                continue;
            }
            List<GrubDefaults.Located> all = defaults.assignmentsOf(name);
            if (all.size() > 1) {
                findings.add(Finding.info("GRUB_DEFAULT_DUPLICATE", name + " is set " + all.size() + " times ("
                        + all.stream().map(GrubDefaults.Located::where).collect(Collectors.joining(", "))
                        + "); the last, " + at.where() + ", wins in the shell and is the one edited; the others are left as they are"));
            }
            String path = at.file().path();
            GrubDefaultFile file = edited.getOrDefault(path, at.file());
            GrubDefaultFile.Assignment current = file.assignmentsOf(name).stream()
                    .filter(a -> a.line() == at.assignment().line()).findFirst().orElse(at.assignment());
            try {
                edited.put(path, file.withValue(current, newValue));
            } catch (IllegalArgumentException e) {
                findings.add(Finding.error("GRUB_DEFAULT_NOT_EDITABLE", e.getMessage() + "; passthrough will not rewrite it",
                        "edit " + at.where() + " by hand: " + describe(change) + ", then plan again"));
                refused = true;
                continue;
            }
            reasons.add(at.where() + ": " + name + " \"" + oldValue + "\" -> \"" + newValue + "\"");
        }
        if (refused) return new Contribution(List.of(), findings);

        List<Change> changes = new ArrayList<>();
        for (GrubDefaultFile f : edited.values()) {
            String why = reasons.stream().filter(r -> r.startsWith(f.path() + " ") || r.startsWith(f.path() + ":"))
                    .collect(Collectors.joining("; "));
            changes.add(new FileChange(f.path(), f.text(), why + " (" + change.reason() + ")"));
        }
        if (!changes.isEmpty()) {
            Optional<List<String>> regenerate = regenerateCommand(facts);
            if (regenerate.isPresent()) {
                changes.add(new CommandChange(regenerate.get(),
                        "write grub.cfg from the changed GRUB defaults, so the next boot uses them"));
            } else {
                findings.add(Finding.error("GRUB_NO_GENERATOR", "none of update-grub, grub-mkconfig, grub2-mkconfig "
                        + "is installed (usr/sbin, usr/bin, sbin, bin), so the changed " + GrubDefaults.MAIN
                        + " would never reach grub.cfg", "install GRUB's tools (Debian/Ubuntu: apt install grub2-common)"
                        + " or use the bootloader writer for a hand-kept grub.cfg"));
            }
        }
        return new Contribution(changes, findings);
    }

    /** The profile's command, else update-grub where Debian ships it, else the generator with the usual output path. */
    private Optional<List<String>> regenerateCommand(HostFacts facts) {
        if (regenerate != null) return Optional.of(regenerate);
        if (facts.hasCommand("update-grub")) return Optional.of(List.of("update-grub"));
        if (facts.hasCommand("grub-mkconfig")) return Optional.of(List.of("grub-mkconfig", "-o", "/boot/grub/grub.cfg"));
        if (facts.hasCommand("grub2-mkconfig")) return Optional.of(List.of("grub2-mkconfig", "-o", "/boot/grub2/grub.cfg"));
        return Optional.empty();
    }

    private static String describe(KernelParametersChange change) {
        List<String> parts = new ArrayList<>();
        if (!change.set().isEmpty()) {
            parts.add("set " + change.set().stream().map(KernelParameter::toString).collect(Collectors.joining(" ")));
        }
        if (!change.remove().isEmpty()) {
            parts.add("remove " + change.remove().stream().map(KernelParameter::toString).collect(Collectors.joining(" ")));
        }
        return String.join(" and ", parts);
    }
}
