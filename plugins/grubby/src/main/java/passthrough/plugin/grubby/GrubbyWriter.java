package passthrough.plugin.grubby;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.pf4j.Extension;
import passthrough.api.Change;
import passthrough.api.CommandChange;
import passthrough.api.CommandUndo;
import passthrough.api.Contribution;
import passthrough.api.FileChange;
import passthrough.api.Finding;
import passthrough.api.HostFacts;
import passthrough.api.KernelCommandLine;
import passthrough.api.KernelParameter;
import passthrough.api.KernelParametersChange;
import passthrough.api.BootloaderWriter;

/**
 * Fedora, RHEL and their rebuilds: GRUB boots Boot Loader Specification entries ({@code /boot/loader/entries/*.conf},
 * read by the blscfg module), each with its own {@code options} line, which {@code grubby} edits. The next boot's line
 * is read from those entries; the change is one {@code grubby --update-kernel=ALL --args=... --remove-args=...}
 * (with its inverse for rollback: the entries are grubby's, not the plan's files), plus GRUB_CMDLINE_LINUX in
 * /etc/default/grub so kernels installed later inherit the parameters.
 *
 * <p>What was checked, and where:
 * <ul>
 *   <li>grubby(8) (rhboot/grubby, grubby.8): {@code --update-kernel=ALL} selects every entry; {@code --args} adds
 *       space-separated arguments and "if an argument already exists the new value replaces the old values";
 *       {@code --remove-args} removes the named arguments. So a value with a space cannot be passed (refused here),
 *       and a changed value needs only {@code --args}.</li>
 *   <li>Entries written before Fedora 30 / RHEL 8.x say {@code options $kernelopts} (sometimes
 *       {@code $kernelopts $tuned_params}); GRUB expands the variables from its environment block
 *       {@code /boot/grub2/grubenv} (grub-editenv's format, see {@link GrubEnv}), where grubby keeps kernelopts.</li>
 *   <li>RHEL 9.3 and later: grub2-mkconfig no longer rewrites the entries' options unless given
 *       {@code --update-bls-cmdline} (10_linux forces GRUB_UPDATE_BLS_CMDLINE back to "no" with
 *       GRUB_ENABLE_BLSCFG=true), so grub2-mkconfig is not what makes the change: grubby is.</li>
 *   <li>Fedora's kernel-install plugin 20-grub.install takes a new kernel's options from /etc/kernel/cmdline, which
 *       grub2-mkconfig writes from GRUB_CMDLINE_LINUX when /etc/kernel/cmdline is older than /etc/default/grub; so the
 *       edit of GRUB_CMDLINE_LINUX is what later kernels inherit.</li>
 * </ul>
 *
 * <p>Entries that disagree (one kernel booted with other options, an entry edited by hand) are refused naming the
 * files: one {@code --update-kernel=ALL} would make them agree, which is the user's decision, not a side effect.
 */
@Extension
public class GrubbyWriter implements BootloaderWriter {
    static final String GRUBBY = "grubby";

    @Override
    public String id() {
        return "grubby";
    }

    @Override
    public List<String> hostFiles() {
        return List.of(BlsEntry.DIRECTORY + "*.conf", BlsEntry.GRUBENV, BootVariables.GRUB_CFG, GrubCmdlineLinux.PATH);
    }

    @Override
    public List<String> hostCommands() {
        return List.of(GRUBBY);
    }

    /** grubby installed and Linux BLS entries in /boot/loader/entries. */
    @Override
    public boolean manages(HostFacts facts) {
        return facts.hasCommand(GRUBBY) && !BlsEntry.all(facts.files()).isEmpty();
    }

    /** The running kernel's entry, else the first: resolved through grubenv. */
    @Override
    public KernelCommandLine configuredCommandLine(HostFacts facts) {
        List<BlsEntry> entries = BlsEntry.all(facts.files());
        if (entries.isEmpty()) return KernelCommandLine.empty();
        Map<String, String> env = BootVariables.of(facts.files()).values();
        BlsEntry e = entries.stream().filter(x -> x.version() != null && x.version().equals(facts.kernelRelease()))
                .findFirst().orElse(entries.get(0));
        return KernelCommandLine.parse(e.resolvedOptions(env));
    }

    @Override
    public Contribution change(HostFacts facts, KernelParametersChange change) {
        List<Finding> findings = new ArrayList<>();
        List<BlsEntry> entries = BlsEntry.all(facts.files());
        if (entries.isEmpty()) {
            return refuse(Finding.error("BLS_ENTRIES_MISSING", "no Linux entry in /" + BlsEntry.DIRECTORY
                    + " (or none readable), so there is nothing for grubby to change", "choose the bootloader writer "
                    + "for this host's boot set-up (--bootloader ID)"));
        }
        BootVariables variables = BootVariables.of(facts.files());
        Map<String, String> env = variables.values();
        // tuned's variables are tuned's: the entries are compared, and grubby's arguments computed, without them (its
        // hook leaves them off the rescue entry on purpose), while the next boot's line includes their value
        Map<String, String> ownEnv = variables.withoutTuned().values();
        for (BlsEntry e : entries) {
            List<String> unset = e.unsetVariables(env);
            if (!unset.isEmpty()) {
                return refuse(Finding.error("BLS_VARIABLE_UNSET", e.path() + " line " + e.optionsLine() + ": the options "
                        + "use $" + String.join(", $", unset) + ", which /" + BlsEntry.GRUBENV + " does not set, so what "
                        + "GRUB passes cannot be known", "set it (`grub2-editenv - set kernelopts=\"...\"`) or write the "
                        + "options into the entry (`grubby --update-kernel=ALL --args=...`), then plan again"));
            }
        }
        Map<String, List<BlsEntry>> byLine = new LinkedHashMap<>();
        for (BlsEntry e : entries) {
            String words = KernelCommandLine.parse(e.resolvedOptions(ownEnv)).parameters().stream()
                    .map(KernelParameter::toString).collect(Collectors.joining(" "));
            byLine.computeIfAbsent(words, k -> new ArrayList<>()).add(e);
        }
        if (byLine.size() > 1) {
            String which = byLine.entrySet().stream().map(x -> x.getValue().stream()
                    .map(e -> e.path() + " line " + e.optionsLine()).collect(Collectors.joining(", ")) + ": \"" + x.getKey() + "\"")
                    .collect(Collectors.joining("; "));
            return refuse(Finding.error("BLS_ENTRIES_DISAGREE", "the BLS entries boot with different options (" + which
                    + "), so no one line is what the next boot gets", "make them agree (`grubby --info=ALL` shows them; "
                    + "`grubby --update-kernel=ALL --args=...` or remove the stale entry), then plan again"));
        }

        List<String> tunedUsed = BootVariables.TUNED.stream()
                .filter(name -> entries.stream().anyMatch(e -> e.uses(name))).toList();
        if (!tunedUsed.isEmpty()) {
            findings.add(Finding.info("BLS_TUNED_VARIABLES", "the entries name tuned's " + tunedUsed.stream()
                    .map(n -> "$" + n + " (\"" + env.get(n) + "\": " + variables.sources().get(n) + ")")
                    .collect(Collectors.joining(", ")) + "; tuned keeps them, grubby's change leaves them in place"));
        }
        KernelCommandLine before = KernelCommandLine.parse(entries.get(0).resolvedOptions(ownEnv));
        KernelCommandLine after = change.applyTo(before);
        if (after.parameters().equals(before.parameters())) return new Contribution(List.of(), findings);

        List<KernelParameter> add = new ArrayList<>();
        List<KernelParameter> undoAdd = new ArrayList<>();
        for (KernelParameter p : after.parameters()) {
            if (before.parameters().contains(p)) continue;
            add.add(p);
            before.last(p.name()).ifPresent(undoAdd::add);
        }
        List<KernelParameter> remove = new ArrayList<>();
        List<KernelParameter> undoRemove = new ArrayList<>();
        for (KernelParameter p : before.parameters()) {
            if (after.last(p.name()).isEmpty()) {
                remove.add(p);
                undoAdd.add(p);
            }
        }
        for (KernelParameter p : add) if (before.last(p.name()).isEmpty()) undoRemove.add(KernelParameter.flag(p.name()));
        List<KernelParameter> all = new ArrayList<>(add);
        all.addAll(undoAdd);
        for (KernelParameter p : all) {
            if (p.value() != null && (p.value().isEmpty() || p.value().chars().anyMatch(c -> Character.isWhitespace(c) || c == '"'))) {
                return refuse(Finding.error("GRUBBY_ARGUMENT_NOT_PASSABLE", entries.get(0).path() + " line "
                        + entries.get(0).optionsLine() + ": \"" + p + "\" holds a space, a quote or an empty value, which "
                        + "grubby's space-separated --args cannot carry", "change that parameter by hand with grubby, then plan again"));
            }
        }

        List<Change> changes = new ArrayList<>();
        GrubCmdlineLinux defaults = GrubCmdlineLinux.of(facts.files().getOrDefault(GrubCmdlineLinux.PATH, ""));
        if (!facts.files().containsKey(GrubCmdlineLinux.PATH)) {
            findings.add(Finding.warning("GRUB_DEFAULT_MISSING", "/" + GrubCmdlineLinux.PATH + " does not exist: the "
                    + "entries change now, but kernels installed later take their options from elsewhere and may lack "
                    + "the new parameters", "check the entry of the next kernel you install (`grubby --info=ALL`)"));
        } else if (defaults.problemIfAny().isPresent()) {
            return refuse(Finding.error("GRUB_DEFAULT_NOT_EDITABLE", defaults.problem(), "edit " + GrubCmdlineLinux.NAME
                    + " by hand (" + describe(add, remove) + ") or make it a plain \"...\" value, then plan again"));
        } else {
            KernelCommandLine inherited = KernelCommandLine.parse(defaults.value());
            KernelCommandLine next = change.applyTo(inherited);
            if (!next.toString().equals(inherited.toString())) {
                try {
                    changes.add(new FileChange(GrubCmdlineLinux.PATH, defaults.withValue(next.toString()), GrubCmdlineLinux.PATH
                            + (defaults.present() ? " line " + defaults.line() : "") + ": " + GrubCmdlineLinux.NAME + " \""
                            + inherited + "\" -> \"" + next + "\", so kernels installed later inherit it (" + change.reason() + ")"));
                } catch (IllegalArgumentException e) {
                    return refuse(Finding.error("GRUB_DEFAULT_NOT_EDITABLE", e.getMessage(), "edit it by hand, then plan again"));
                }
            }
        }
        List<String> argv = grubby(add, remove);
        List<String> undo = grubby(undoAdd, undoRemove);
        changes.add(new CommandChange(argv, "grubby sets the options of every BLS entry (" + entries.size() + ": "
                + entries.stream().map(BlsEntry::path).collect(Collectors.joining(", ")) + ") from \"" + before + "\" to \""
                + after + "\", which GRUB boots next (" + change.reason() + ")", new CommandUndo.Run(undo)));
        return new Contribution(changes, findings);
    }

    private static List<String> grubby(List<KernelParameter> add, List<KernelParameter> remove) {
        List<String> argv = new ArrayList<>(List.of(GRUBBY, "--update-kernel=ALL"));
        if (!add.isEmpty()) argv.add("--args=" + add.stream().map(KernelParameter::toString).collect(Collectors.joining(" ")));
        if (!remove.isEmpty()) {
            argv.add("--remove-args=" + remove.stream().map(KernelParameter::toString).collect(Collectors.joining(" ")));
        }
        return argv;
    }

    private static String describe(List<KernelParameter> add, List<KernelParameter> remove) {
        List<String> parts = new ArrayList<>();
        if (!add.isEmpty()) parts.add("set " + add.stream().map(KernelParameter::toString).collect(Collectors.joining(" ")));
        if (!remove.isEmpty()) parts.add("remove " + remove.stream().map(KernelParameter::toString).collect(Collectors.joining(" ")));
        return String.join(" and ", parts);
    }

    private static Contribution refuse(Finding f) {
        return new Contribution(List.of(), List.of(f));
    }
}
