package passthrough.plugin.mkinitcpio;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.pf4j.Extension;
import passthrough.api.Change;
import passthrough.api.CommandChange;
import passthrough.api.Contribution;
import passthrough.api.EarlyModuleLoader;
import passthrough.api.EarlyModulesChange;
import passthrough.api.FileChange;
import passthrough.api.Finding;
import passthrough.api.HostFacts;
import passthrough.api.Severity;

/**
 * Arch Linux and Manjaro: mkinitcpio. The vfio modules go into {@code MODULES} before any early-KMS driver (nvidia,
 * amdgpu, i915, ...), the files the modprobe.d configuration runs into {@code FILES}, and {@code mkinitcpio -P}
 * rebuilds the image of every preset (every installed kernel).
 *
 * <p>What was checked, in mkinitcpio.conf(5) (man.archlinux.org) and mkinitcpio's source (archlinux/mkinitcpio, v41):
 * <ul>
 * <li>The configuration is bash, sourced ({@code . "$_f_config"}); MODULES, FILES and HOOKS are arrays
 *     ({@code arrayize_config} still splits the old string form). MODULES "will be explicitly loaded" at runtime, in
 *     order, before the hooks' udev coldplug: so order within MODULES is load order, and a GPU driver listed for early
 *     KMS ahead of vfio_pci binds the card first.</li>
 * <li>Drop-ins: /etc/mkinitcpio.conf.d/*.conf "have higher precedence and override the main configuration file";
 *     in the source, the main file and the drop-ins (names version-sorted, {@code sort -V}) are concatenated into one
 *     file and sourced, unless {@code -c} was given (by hand or by a preset's {@code _config=}), in which case no
 *     drop-in is read (see {@link PresetConfigs}). The rule for our drop-in is in {@link DropInEdit}.</li>
 * <li>The drop-in directory is detected by the files in it: {@link HostFacts#files()} carries files, not directories,
 *     so an empty /etc/mkinitcpio.conf.d looks like none, and then /etc/mkinitcpio.conf is edited in place — right on
 *     every version, since no drop-in can override it.</li>
 * <li>FILES: {@code add_file} of a missing file is a build error and mkinitcpio then exits non-zero
 *     ({@code exit $(( !!_builderrors ))}), so a file the plan deletes leaves FILES in the same plan.</li>
 * <li>The modconf hook adds /etc/modprobe.d/*.conf ({@link HooksCheck}); without it the plan is refused.</li>
 * </ul>
 * A MODULES (or FILES we must touch) that is not a plain array of words is refused with file and line
 * ({@link BashArrays}), never rewritten.
 */
@Extension
public class MkinitcpioLoader implements EarlyModuleLoader {
    static final String MAIN = "etc/mkinitcpio.conf";
    static final String DROP_IN_DIR = "etc/mkinitcpio.conf.d/";

    @Override
    public String id() {
        return "mkinitcpio";
    }

    @Override
    public List<String> hostFiles() {
        return List.of(MAIN, DROP_IN_DIR + "*.conf", "etc/mkinitcpio.d/*.preset");
    }

    @Override
    public List<String> hostCommands() {
        return List.of("mkinitcpio");
    }

    @Override
    public boolean manages(HostFacts facts) {
        return facts.hasCommand("mkinitcpio") && facts.files().containsKey(MAIN);
    }

    @Override
    public Contribution load(HostFacts facts, EarlyModulesChange change) {
        List<Change> changes = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        String main = facts.files().get(MAIN);
        if (main == null) {
            findings.add(Finding.error("NO_MKINITCPIO_CONF", MAIN + " is missing, so there is no MODULES to add to",
                    "reinstall mkinitcpio (pacman -S mkinitcpio), or choose another loader with --early-modules"));
            return new Contribution(changes, findings);
        }
        Map<String, String> dropIns = new LinkedHashMap<>();
        facts.files().forEach((path, text) -> {
            if (path.startsWith(DROP_IN_DIR) && path.endsWith(".conf") && path.indexOf('/', DROP_IN_DIR.length()) < 0) {
                dropIns.put(path, text);
            }
        });
        List<String> presetConfigs = PresetConfigs.find(facts.files());
        boolean dropInsRead = presetConfigs.isEmpty();
        boolean useDropIn = !dropIns.isEmpty() && dropInsRead;
        if (!dropIns.isEmpty() && !dropInsRead) {
            findings.add(Finding.warning("MKINITCPIO_PRESET_CONFIG", String.join(", ", presetConfigs) + ": the preset "
                    + "passes -c, with which mkinitcpio reads no drop-in of " + DROP_IN_DIR + ", so " + MAIN
                    + " is edited instead", "comment the _config line out (Arch's default preset does) to use drop-ins"));
        }

        Wanted wanted = new Wanted(change.modules(),
                change.extraFiles().stream().map(f -> "/" + f).distinct().toList(),
                // a file the plan deletes leaves FILES; modprobe.d files are modconf's business, never ours in FILES
                change.changedFiles().stream().filter(f -> !change.extraFiles().contains(f))
                        .filter(f -> !f.startsWith("etc/modprobe.d/")).map(f -> "/" + f).collect(Collectors.toSet()));
        Edited edited = useDropIn ? DropInEdit.edit(main, dropIns, wanted) : MainFileEdit.edit(MAIN, main, wanted);
        if (!edited.errors().isEmpty()) return new Contribution(changes, edited.errors());

        List<Map.Entry<String, String>> sources = new ArrayList<>();
        sources.add(new AbstractMap.SimpleEntry<>(MAIN, edited.files().getOrDefault(MAIN, main)));
        if (dropInsRead) {
            Map<String, String> after = new LinkedHashMap<>(dropIns);
            after.putAll(Map.copyOf(edited.files()));
            after.remove(MAIN);
            sources.addAll(DropInEdit.sorted(after));
        }
        List<Finding> hooks = HooksCheck.check(sources);
        findings.addAll(hooks);
        if (hooks.stream().anyMatch(f -> f.severity() == Severity.ERROR)) return new Contribution(changes, findings);

        edited.files().forEach((path, text) -> changes.add(new FileChange(path, text, reasonFor(path, change))));
        if (edited.files().isEmpty() && change.changedFiles().isEmpty()) return new Contribution(changes, findings);
        if (!facts.hasCommand("mkinitcpio")) {
            findings.add(Finding.error("NO_MKINITCPIO", "mkinitcpio is missing (usr/bin, usr/sbin, bin, sbin), so the "
                    + "initramfs cannot be rebuilt", "pacman -S mkinitcpio, or choose another loader with --early-modules"));
        } else {
            changes.add(new CommandChange(List.of("mkinitcpio", "-P"), "rebuild the initramfs of every preset (every "
                    + "installed kernel) so it carries " + describe(change)));
        }
        return new Contribution(changes, findings);
    }

    private static String reasonFor(String path, EarlyModulesChange change) {
        String base = change.modules().isEmpty() ? "carry the early-boot files of this plan" : change.reason();
        return path.startsWith(DROP_IN_DIR) ? base + " (a drop-in: its MODULES is the whole array, ours first)" : base;
    }

    private static String describe(EarlyModulesChange change) {
        List<String> parts = new ArrayList<>();
        if (!change.modules().isEmpty()) parts.add("the modules " + String.join(", ", change.modules()));
        if (!change.changedFiles().isEmpty()) {
            parts.add("the changed " + change.changedFiles().stream().map(f -> "/" + f).collect(Collectors.joining(", ")));
        }
        return parts.isEmpty() ? "the new configuration" : String.join(" and ", parts);
    }
}
