package passthrough.plugin.kernelstub;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
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
 * Pop!_OS: systemd-boot boots the entry kernelstub writes on the ESP ({@code loader/entries/Pop_OS-current.conf}),
 * whose options kernelstub takes from its own configuration. The change is a kernelstub command, which updates that
 * configuration and writes the entry; this plugin writes no file (kernelstub saves its configuration itself, with
 * json.dump), so each command carries its inverse for rollback.
 *
 * <p>What was checked in kernelstub's source (pop-os/kernelstub, kernelstub/application.py and config.py):
 * <ul>
 *   <li>{@code -a "OPTS"} splits OPTS on single spaces and appends each word not yet present (an exact string
 *       match, so {@code -a intel_iommu=on} beside {@code intel_iommu=off} keeps both);</li>
 *   <li>{@code -d "OPTS"} takes a set difference ({@code list(set(kernel_opts) - set(rem_opts))}), which loses the
 *       order of the remaining options: this plugin therefore removes or changes a parameter with
 *       {@code -o "WHOLE LINE"}, which replaces kernel_options by exactly those words, and uses {@code -a} only when
 *       it adds;</li>
 *   <li>the inverse is always {@code -o "OLD LINE"} (the order comes back too); an empty old line cannot be given to
 *       {@code -o} (kernelstub ignores an empty -o), so there the inverse is {@code -d} of what was added;</li>
 *   <li>after the options kernelstub copies the kernel and initrd to the ESP, writes the loader entry
 *       ({@code options root=UUID=... ro OPTIONS}) and saves the configuration.</li>
 * </ul>
 */
@Extension
public class KernelstubWriter implements BootloaderWriter {
    static final String KERNELSTUB = "kernelstub";

    @Override
    public String id() {
        return "kernelstub";
    }

    @Override
    public List<String> hostFiles() {
        return List.of(KernelstubConfig.PATH, KernelstubConfig.FALLBACK);
    }

    @Override
    public List<String> hostCommands() {
        return List.of(KERNELSTUB);
    }

    /** kernelstub installed and its configuration present. */
    @Override
    public boolean manages(HostFacts facts) {
        return facts.hasCommand(KERNELSTUB) && KernelstubConfig.fileOf(facts.files()) != null;
    }

    /** kernelstub's options (it puts root=UUID=... ro in front, which says nothing about the IOMMU). */
    @Override
    public KernelCommandLine configuredCommandLine(HostFacts facts) {
        String path = KernelstubConfig.fileOf(facts.files());
        if (path == null) return KernelCommandLine.empty();
        try {
            return KernelCommandLine.parse(KernelstubConfig.read(path, facts.files().get(path)).line());
        } catch (KernelstubConfig.UnreadableException e) {
            return KernelCommandLine.empty();
        }
    }

    @Override
    public Contribution change(HostFacts facts, KernelParametersChange change) {
        String path = KernelstubConfig.fileOf(facts.files());
        if (path == null) {
            return refuse(Finding.error("KERNELSTUB_CONFIG_MISSING", "/" + KernelstubConfig.PATH + " does not exist, so "
                    + "kernelstub would boot with its defaults", "run `kernelstub -v` once to write it, then plan again"));
        }
        if (!facts.hasCommand(KERNELSTUB)) {
            return refuse(Finding.error("KERNELSTUB_MISSING", "kernelstub is not installed (usr/sbin, usr/bin, sbin, bin)",
                    "apt-get install kernelstub, or choose the bootloader writer for this host (--bootloader ID)"));
        }
        KernelstubConfig config;
        try {
            config = KernelstubConfig.read(path, facts.files().get(path));
        } catch (KernelstubConfig.UnreadableException e) {
            return refuse(Finding.error("KERNELSTUB_CONFIG_UNREADABLE", e.getMessage(), "fix the file (or remove it and "
                    + "run `kernelstub -v`, which writes the defaults), then plan again"));
        }
        KernelCommandLine before = KernelCommandLine.parse(config.line());
        KernelCommandLine after = change.applyTo(before);
        if (after.parameters().equals(before.parameters())) return new Contribution(List.of(), List.of());
        for (KernelParameter p : after.parameters()) {
            if (p.value() != null && p.value().chars().anyMatch(c -> Character.isWhitespace(c) || c == '"')) {
                return refuse(Finding.error("KERNELSTUB_ARGUMENT_NOT_PASSABLE", path + ": \"" + p + "\" holds a space or "
                        + "a quote, which kernelstub's space-split -a/-o cannot carry", "change it by hand, then plan again"));
            }
        }
        List<String> oldWords = words(before);
        List<String> newWords = words(after);
        List<String> argv;
        if (newWords.size() > oldWords.size() && newWords.subList(0, oldWords.size()).equals(oldWords)) {
            argv = List.of(KERNELSTUB, "-a", String.join(" ", newWords.subList(oldWords.size(), newWords.size())));
        } else {
            argv = List.of(KERNELSTUB, "-o", String.join(" ", newWords));
        }
        List<String> undo = oldWords.isEmpty()
                ? List.of(KERNELSTUB, "-d", String.join(" ", newWords))
                : List.of(KERNELSTUB, "-o", String.join(" ", oldWords));
        return new Contribution(List.of(new CommandChange(argv, "kernelstub changes its kernel options (" + path + ") from \""
                + config.line() + "\" to \"" + String.join(" ", newWords) + "\" and writes the ESP's loader entry with them ("
                + change.reason() + ")", new CommandUndo.Run(undo))), List.of());
    }

    private static List<String> words(KernelCommandLine line) {
        return line.parameters().stream().map(KernelParameter::toString).collect(Collectors.toList());
    }

    private static Contribution refuse(Finding f) {
        return new Contribution(new ArrayList<>(), List.of(f));
    }
}
