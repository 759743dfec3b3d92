package passthrough.plugin.systemdbootentries;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.pf4j.Extension;
import passthrough.api.BootloaderWriter;
import passthrough.api.Change;
import passthrough.api.Contribution;
import passthrough.api.FileChange;
import passthrough.api.Finding;
import passthrough.api.HostFacts;
import passthrough.api.KernelCommandLine;
import passthrough.api.KernelParameter;
import passthrough.api.KernelParametersChange;

/**
 * Plain systemd-boot, where nothing regenerates the loader entries (Arch installed by hand): the kernel command line
 * is the {@code options} line(s) of the Type #1 entries in {@code loader/entries/*.conf} on the ESP or XBOOTLDR
 * (/boot, /efi, /boot/efi), which systemd-boot reads at the next boot; so the plan edits those files and runs no
 * command. Every Linux entry is edited except a fallback one (file name or title saying "fallback", Arch's
 * "(fallback initramfs)"), which is kept as it is as a way back.
 *
 * <p>Checked: loader.conf(5) ({@code default} is a glob over entry ids, the id being the file name with ".conf";
 * {@code @saved}; the LoaderEntryDefault EFI variable overrides it), the Boot Loader Specification (UAPI.1: keys,
 * repeated {@code options} joined, the "Sorting" rules, boot counting suffixes {@code +LEFT-DONE}) and the systemd
 * commit that introduced sort-key; see {@link DefaultEntry} for what of it is followed.
 *
 * <p>Not this writer's: a host with /etc/kernel/cmdline (a tool such as kernel-install writes the entries from that
 * file and would undo an edit of them), and a host whose GRUB reads the entries ({@code GRUB_ENABLE_BLSCFG=true} in
 * /etc/default/grub: Fedora and RHEL, where grubby keeps them).
 */
@Extension
public class SystemdBootEntriesWriter implements BootloaderWriter {

    static final String KERNEL_CMDLINE = "etc/kernel/cmdline";
    static final String GRUB_DEFAULTS = "etc/default/grub";
    private static final java.util.regex.Pattern GRUB_BLS =
            java.util.regex.Pattern.compile("^\\s*GRUB_ENABLE_BLSCFG=([\"']?)(\\w+)\\1\\s*$");

    @Override
    public String id() {
        return "systemd-boot-entries";
    }

    @Override
    public List<String> hostFiles() {
        List<String> files = new ArrayList<>();
        for (String dir : LoaderEntryFile.DIRECTORIES) files.add(dir + "*.conf");
        files.addAll(LoaderConf.PATHS);
        files.add(KERNEL_CMDLINE); // read to know it is absent
        files.add(GRUB_DEFAULTS);
        return files;
    }

    @Override
    public boolean manages(HostFacts facts) {
        return !linuxEntries(facts).isEmpty() && !facts.files().containsKey(KERNEL_CMDLINE) && !grubReadsEntries(facts);
    }

    /** GRUB_ENABLE_BLSCFG=true, the last assignment winning as in the shell that reads /etc/default/grub. */
    static boolean grubReadsEntries(HostFacts facts) {
        String value = null;
        for (String line : facts.file(GRUB_DEFAULTS).orElse("").split("\n")) {
            java.util.regex.Matcher m = GRUB_BLS.matcher(line);
            if (m.matches()) value = m.group(2);
        }
        return "true".equals(value);
    }

    /** Every entry that boots Linux, in path order. */
    static List<LoaderEntryFile> linuxEntries(HostFacts facts) {
        List<LoaderEntryFile> out = new ArrayList<>();
        new TreeMap<>(facts.files()).forEach((path, text) -> {
            if (LoaderEntryFile.isEntryPath(path)) {
                LoaderEntryFile e = LoaderEntryFile.of(path, text);
                if (e.bootsLinux()) out.add(e);
            }
        });
        return out;
    }

    /** The default Linux entry's options (several options lines joined with a space); empty without entries. */
    @Override
    public KernelCommandLine configuredCommandLine(HostFacts facts) {
        return DefaultEntry.of(linuxEntries(facts), LoaderConf.of(facts.files()))
                .map(d -> KernelCommandLine.parse(d.entry().commandLine())).orElse(KernelCommandLine.empty());
    }

    @Override
    public Contribution change(HostFacts facts, KernelParametersChange change) {
        List<LoaderEntryFile> entries = linuxEntries(facts);
        if (entries.isEmpty()) {
            return refuse(Finding.error("LOADER_ENTRIES_MISSING", "no loader entry that boots Linux in "
                    + String.join(", ", LoaderEntryFile.DIRECTORIES) + " (or they could not be read)",
                    "mount the ESP (or XBOOTLDR) where it belongs and run as root, or choose the bootloader writer for "
                            + "this host's set-up"));
        }
        for (LoaderEntryFile e : entries) {
            if (e.nulLine() > 0) {
                return refuse(Finding.error("LOADER_ENTRY_NUL", e.path() + " line " + e.nulLine() + ": holds a NUL byte, "
                        + "so how systemd-boot reads the entry is not sure; passthrough will not rewrite it",
                        "write the entry again as plain text (`cat -A /" + e.path() + "` shows the ^@), then plan again"));
            }
        }
        List<Finding> findings = new ArrayList<>();
        List<LoaderEntryFile> fallbacks = entries.stream().filter(LoaderEntryFile::isFallback).toList();
        List<LoaderEntryFile> editable = entries.stream().filter(e -> !e.isFallback()).toList();
        if (editable.isEmpty()) {
            return refuse(Finding.error("LOADER_ENTRIES_ONLY_FALLBACK", "every Linux loader entry is a fallback entry ("
                    + paths(fallbacks) + "), and those are kept as the way back",
                    "add an entry for the installed kernel (copy the fallback one without \"fallback\" in its name and "
                            + "title, with the regular initramfs), then plan again"));
        }
        for (KernelParameter p : change.set()) {
            if (p.toString().indexOf('\n') >= 0) {
                // systemd-boot ends a key's value at the line break: the rest would become a key of its own
                LoaderEntryFile first = editable.get(0);
                return refuse(Finding.error("LOADER_ENTRY_NOT_EDITABLE", first.path() + ": the parameter \"" + p
                        + "\" holds a line break, and an options value ends at the line end",
                        "add the parameters by hand without the line break, then plan again"));
            }
        }
        disagreement(editable, change).ifPresent(findings::add);

        List<Change> changes = new ArrayList<>();
        for (LoaderEntryFile e : editable) {
            LoaderEntryFile edited = OptionsEdit.apply(e, change);
            if (edited.text().equals(e.text())) continue;
            String after = edited.commandLine();
            int line = e.optionsLines().isEmpty() ? edited.optionsLines().get(0).line() : e.optionsLines().get(0).line();
            changes.add(new FileChange(e.path(), edited.text(), e.path() + " line " + line + ": options \""
                    + e.commandLine() + "\" -> \"" + after + "\" (" + change.reason() + "); systemd-boot reads the "
                    + "entries at the next boot, so no command runs"));
        }
        if (!changes.isEmpty()) {
            for (LoaderEntryFile f : fallbacks) {
                findings.add(Finding.info("LOADER_ENTRY_FALLBACK_KEPT", f.path() + " is a fallback entry and is kept "
                        + "unchanged: a way back (choose it in the systemd-boot menu) if the new command line does not boot"));
            }
            DefaultEntry.of(entries, LoaderConf.of(facts.files())).ifPresent(d -> findings.add(Finding.info(
                    "LOADER_ENTRY_DEFAULT", "the default entry is " + d.entry().path() + " (" + d.why() + ")")));
        }
        return new Contribution(changes, findings);
    }

    /**
     * A warning when the entries to edit hold different values of the parameters this change is about: after the edit
     * they agree on those, but the user should know one of them booted differently until now.
     */
    private static Optional<Finding> disagreement(List<LoaderEntryFile> entries, KernelParametersChange change) {
        List<String> names = new ArrayList<>();
        for (KernelParameter p : change.set()) names.add(p.name());
        for (KernelParameter p : change.remove()) if (!names.contains(p.name())) names.add(p.name());
        if (names.isEmpty() || entries.size() < 2) return Optional.empty();
        Map<String, List<String>> byValues = new LinkedHashMap<>();
        for (LoaderEntryFile e : entries) {
            KernelCommandLine line = KernelCommandLine.parse(e.commandLine());
            String values = names.stream().flatMap(n -> line.all(n).stream()).map(KernelParameter::toString)
                    .collect(Collectors.joining(" "));
            byValues.computeIfAbsent(values, v -> new ArrayList<>()).add(e.path());
        }
        if (byValues.size() < 2) return Optional.empty();
        String detail = byValues.entrySet().stream().map(en -> String.join(", ", en.getValue()) + " have \""
                + en.getKey() + "\"").collect(Collectors.joining("; "));
        return Optional.of(Finding.warning("LOADER_ENTRIES_DISAGREE", "the loader entries differ in "
                + String.join(", ", names) + ": " + detail + "; the plan makes them agree",
                "check that no entry was set up differently on purpose (a test kernel, a debug entry) before applying"));
    }

    private static String paths(List<LoaderEntryFile> entries) {
        return entries.stream().map(LoaderEntryFile::path).collect(Collectors.joining(", "));
    }

    private static Contribution refuse(Finding finding) {
        return new Contribution(List.of(), List.of(finding));
    }
}
