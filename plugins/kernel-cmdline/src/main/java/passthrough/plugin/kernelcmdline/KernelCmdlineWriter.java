package passthrough.plugin.kernelcmdline;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.pf4j.Extension;
import passthrough.api.BootloaderWriter;
import passthrough.api.Change;
import passthrough.api.Contribution;
import passthrough.api.FileChange;
import passthrough.api.Finding;
import passthrough.api.HostFacts;
import passthrough.api.KernelCommandLine;
import passthrough.api.KernelParametersChange;
import passthrough.api.PluginSettings;

/**
 * /etc/kernel/cmdline: the one line that a refresh tool copies into the {@code options} line of the loader entries it
 * writes, so the next boot gets that line once the tool has run. The edit changes that line only; the refresh is a
 * command of the plan.
 *
 * <p>What was checked, and where:
 * <ul>
 *   <li>Proxmox VE admin guide, "Host Bootloader" / "Editing the Kernel Commandline": with systemd-boot the command
 *       line is "one line" in /etc/kernel/cmdline and {@code proxmox-boot-tool refresh} sets it as the options line of
 *       the entries on every ESP it keeps in sync; with GRUB (also when proxmox-boot-tool manages GRUB) it is
 *       GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub. proxmox-boot-tool prints "No /etc/kernel/cmdline found -
 *       falling back to /proc/cmdline" when the file is missing. Its ESPs are mounted only while it runs
 *       (/var/tmp/espmounts/UUID), so their entries are usually not visible to a plan.</li>
 *   <li>kernel-install(8) (systemd 252, Debian 12's, whose /usr/bin/kernel-install and
 *       /usr/lib/kernel/install.d/90-loaderentry.install were read on this machine): {@code add KERNEL-VERSION
 *       KERNEL-IMAGE [INITRD...]} writes {@code $BOOT/loader/entries/<entry-token>-<version>.conf} with
 *       {@code version <version>} and {@code options} taken from {@code $KERNEL_INSTALL_CONF_ROOT/cmdline}, else
 *       /etc/kernel/cmdline, else /usr/lib/kernel/cmdline, else /proc/cmdline without BOOT_IMAGE= and initrd=; the file
 *       is read with {@code tr -s "$IFS" ' '} (every line joined, no comments), and {@code systemd.machine_id=} is
 *       appended when the entry token is the machine id. $BOOT is /boot, /efi or /boot/efi. Newer releases also have
 *       {@code add-all}; the per-release {@code add} works on all of them, so it is the default. The real
 *       90-loaderentry.install is this plugin's test oracle (KernelInstallOracleTest).</li>
 *   <li>kernel-command-line(7): the kernel and systemd read the line as whitespace-separated words with double
 *       quotes grouping, as {@link KernelCommandLine} parses it.</li>
 * </ul>
 *
 * <p>Manages a host with /etc/kernel/cmdline and a refresh tool (proxmox-boot-tool, kernel-install, or the profile's
 * {@code refresh} setting) — except a host that proxmox-boot-tool refreshes and GRUB booted ({@code BOOT_IMAGE=} on
 * the running line, which systemd-boot never sets): there the file does not reach the boot, /etc/default/grub does.
 */
@Extension
public class KernelCmdlineWriter implements BootloaderWriter {

    /** The refresh command a profile may set; {@code {release}} in it makes it run once per kernel release. */
    static final String REFRESH = "refresh";

    /** The profile's refresh command split on blanks, or null: chosen by what is installed. */
    private final List<String> refreshSetting;

    public KernelCmdlineWriter() {
        this(null);
    }

    private KernelCmdlineWriter(List<String> refreshSetting) {
        this.refreshSetting = refreshSetting;
    }

    @Override
    public String id() {
        return "kernel-cmdline";
    }

    @Override
    public List<String> hostFiles() {
        List<String> files = new ArrayList<>();
        files.add(KernelCmdlineFile.PATH);
        for (String dir : GeneratedEntry.DIRECTORIES) files.add(dir + "*.conf");
        return files;
    }

    @Override
    public List<String> hostCommands() {
        return List.of(RefreshCommand.PROXMOX_BOOT_TOOL, RefreshCommand.KERNEL_INSTALL);
    }

    @Override
    public java.util.Set<String> settingNames() {
        return java.util.Set.of(REFRESH);
    }

    @Override
    public BootloaderWriter withSettings(PluginSettings settings) {
        return settings.value(REFRESH).filter(v -> !v.isBlank())
                .map(v -> new KernelCmdlineWriter(List.of(v.strip().split("\\s+")))).orElse(this);
    }

    @Override
    public boolean manages(HostFacts facts) {
        if (!facts.files().containsKey(KernelCmdlineFile.PATH)) return false;
        Optional<RefreshCommand> refresh = RefreshCommand.choose(refreshSetting, facts);
        return refresh.isPresent() && !(refresh.get().isProxmoxBootTool() && bootedByGrub(facts));
    }

    /** GRUB puts BOOT_IMAGE= on the line it boots; systemd-boot does not. */
    private static boolean bootedByGrub(HostFacts facts) {
        return facts.commandLine().last("BOOT_IMAGE").isPresent();
    }

    /**
     * The line the refresh copies into the entries: the file's one line; a file of several lines as kernel-install
     * joins them (change() refuses to edit it); a file with a NUL, nothing (what the shell makes of it is not sure).
     */
    @Override
    public KernelCommandLine configuredCommandLine(HostFacts facts) {
        return facts.file(KernelCmdlineFile.PATH).map(text -> {
            KernelCmdlineFile file = KernelCmdlineFile.of(text);
            if (text.indexOf('\0') >= 0) return KernelCommandLine.empty();
            if (file.problem().isPresent()) return KernelCommandLine.parse(String.join(" ", OptionsComparison.words(text)));
            return KernelCommandLine.parse(file.commandLine());
        }).orElse(KernelCommandLine.empty());
    }

    @Override
    public Contribution change(HostFacts facts, KernelParametersChange change) {
        Optional<String> text = facts.file(KernelCmdlineFile.PATH);
        if (text.isEmpty()) {
            return refuse(Finding.error("KERNEL_CMDLINE_MISSING", KernelCmdlineFile.PATH + " does not exist (or could "
                    + "not be read), so kernel-install and proxmox-boot-tool take the running line instead",
                    "create it with the running line (`grep -v BOOT_IMAGE /proc/cmdline > /" + KernelCmdlineFile.PATH
                            + "`, then check it), or choose the bootloader writer for this host's set-up"));
        }
        KernelCmdlineFile file = KernelCmdlineFile.of(text.get());
        if (file.problem().isPresent()) return refuse(file.problem().get());
        Optional<RefreshCommand> refresh = RefreshCommand.choose(refreshSetting, facts);
        if (refresh.isEmpty()) {
            return refuse(Finding.error("KERNEL_CMDLINE_NO_REFRESH", KernelCmdlineFile.PATH + " line "
                    + file.lineNumber() + ": neither proxmox-boot-tool nor kernel-install is installed (usr/sbin, usr/bin, "
                    + "sbin, bin), so a changed line would never reach the loader entries",
                    "install the tool that writes this host's entries, or name it in the profile's settings."
                            + id() + "." + REFRESH));
        }

        List<GeneratedEntry> entries = GeneratedEntry.all(facts.files());
        List<Finding> findings = new ArrayList<>();
        notRefreshed(facts, file, entries).ifPresent(findings::add);

        KernelCommandLine before = KernelCommandLine.parse(file.commandLine());
        KernelCommandLine after = change.applyTo(before);
        if (after.toString().equals(before.toString())) return new Contribution(List.of(), findings);
        if (after.toString().indexOf('\n') >= 0) {
            // a value with a line break would make the file two lines, which the refresh tools read differently
            findings.add(Finding.error("KERNEL_CMDLINE_NOT_EDITABLE", KernelCmdlineFile.PATH + " line " + file.lineNumber()
                    + ": the new line \"" + after + "\" holds a line break, and the file must stay one line",
                    "add the parameters by hand without the line break, then plan again"));
            return new Contribution(List.of(), findings);
        }

        Map<String, String> releases = releasesToRefresh(facts, entries);
        if (refresh.get().perRelease() && releases.isEmpty()) {
            findings.add(Finding.error("KERNEL_CMDLINE_NO_RELEASE", KernelCmdlineFile.PATH + " line " + file.lineNumber()
                    + ": " + refresh.get().program() + " writes one kernel's entry per call, and neither the running "
                    + "kernel's release nor any loader entry with a version is known", "run `" + refresh.get().program()
                    + "` by hand for each installed kernel after editing the file, or set a refresh command without "
                    + RefreshCommand.RELEASE + " in the profile"));
            return new Contribution(List.of(), findings);
        }
        List<Change> changes = new ArrayList<>();
        changes.add(new FileChange(KernelCmdlineFile.PATH, file.withCommandLine(after.toString()),
                KernelCmdlineFile.PATH + " line " + file.lineNumber() + ": \"" + before + "\" -> \"" + after + "\" ("
                        + change.reason() + ")"));
        changes.addAll(refresh.get().commands(releases.entrySet().stream()
                .map(e -> new String[] {e.getKey(), e.getValue()}).toList()));
        return new Contribution(changes, findings);
    }

    /**
     * The releases whose entries kernel-install writes again: the running kernel's, and every release a visible loader
     * entry names in its {@code version} line; each with why.
     */
    private static Map<String, String> releasesToRefresh(HostFacts facts, List<GeneratedEntry> entries) {
        Map<String, String> out = new LinkedHashMap<>();
        if (facts.kernelRelease() != null && !facts.kernelRelease().isBlank()) out.put(facts.kernelRelease(), "the running kernel");
        for (String version : new TreeSet<>(entries.stream().map(GeneratedEntry::version)
                .filter(v -> v != null && !v.isBlank()).toList())) {
            String path = entries.stream().filter(e -> version.equals(e.version())).findFirst().orElseThrow().path();
            out.merge(version, "has " + path, (a, b) -> a + ", " + b);
        }
        return out;
    }

    /**
     * A warning when the running kernel's entry carries other options than the file would give it: the last refresh
     * did not run (or the entry was edited by hand), so the next boot of that entry does not get the file's line
     * until a refresh runs.
     */
    private static Optional<Finding> notRefreshed(HostFacts facts, KernelCmdlineFile file, List<GeneratedEntry> entries) {
        return GeneratedEntry.of(entries, facts.kernelRelease())
                .filter(e -> !OptionsComparison.sameAsRefreshWouldWrite(file.commandLine(), e.options()))
                .map(e -> Finding.warning("KERNEL_CMDLINE_NOT_REFRESHED", e.path() + " line " + e.optionsLine()
                        + ": the entry of the running kernel " + facts.kernelRelease() + " boots with \"" + e.options()
                        + "\", not with " + KernelCmdlineFile.PATH + " line " + file.lineNumber() + " (\""
                        + file.commandLine() + "\"): the last refresh did not run, or the entry was edited by hand",
                        "run the refresh (`proxmox-boot-tool refresh` or `kernel-install add " + facts.kernelRelease()
                                + " <image>`); a plan that changes " + KernelCmdlineFile.PATH + " runs it"));
    }

    private static Contribution refuse(Finding finding) {
        return new Contribution(List.of(), List.of(finding));
    }
}
