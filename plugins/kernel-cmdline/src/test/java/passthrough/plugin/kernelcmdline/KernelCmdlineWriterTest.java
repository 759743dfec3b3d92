package passthrough.plugin.kernelcmdline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import passthrough.api.BootloaderWriter;
import passthrough.api.CommandChange;
import passthrough.api.Contribution;
import passthrough.api.FileChange;
import passthrough.api.Finding;
import passthrough.api.HostFacts;
import passthrough.api.KernelParameter;
import passthrough.api.KernelParametersChange;
import passthrough.api.PluginSettings;
import passthrough.api.Severity;

class KernelCmdlineWriterTest {
    private final KernelCmdlineWriter writer = new KernelCmdlineWriter();

    static final String PROXMOX_LINE = "root=ZFS=rpool/ROOT/pve-1 boot=zfs";
    static final String RUNNING = "6.8.12-4-pve";
    /** What proxmox-boot-tool writes on the ESP (named proxmox-<release>.conf, with no version line). */
    static final String PROXMOX_ENTRY = "title    Proxmox Virtual Environment\nlinux    /EFI/proxmox/" + RUNNING
            + "/vmlinuz-" + RUNNING + "\ninitrd   /EFI/proxmox/" + RUNNING + "/initrd.img-" + RUNNING + "\noptions  "
            + PROXMOX_LINE + "\n";

    private static final KernelParametersChange IOMMU = new KernelParametersChange(
            List.of(KernelParameter.of("intel_iommu", "on"), KernelParameter.of("iommu", "pt")),
            List.of(KernelParameter.of("iommu", "off")), "turn on Intel VT-d");

    static HostFacts host(Map<String, String> files, Set<String> commands, String running) {
        return HostFacts.builder().files(files).commands(commands).kernelRelease(running)
                .commandLine("initrd=\\EFI\\proxmox\\" + RUNNING + "\\initrd.img-" + RUNNING + " " + PROXMOX_LINE).build();
    }

    static HostFacts proxmox(String cmdline) {
        return host(Map.of("etc/kernel/cmdline", cmdline), Set.of("proxmox-boot-tool"), RUNNING);
    }

    private static List<FileChange> files(Contribution c) {
        return c.changes().stream().filter(FileChange.class::isInstance).map(FileChange.class::cast).toList();
    }

    private static List<List<String>> commands(Contribution c) {
        return c.changes().stream().filter(CommandChange.class::isInstance).map(ch -> ((CommandChange) ch).argv()).toList();
    }

    private static Finding finding(Contribution c, String code) {
        return c.findings().stream().filter(f -> f.code().equals(code)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + code + " in " + c.findings()));
    }

    /** The host after the plan's file changes, as the executor would leave it. */
    private static HostFacts after(HostFacts facts, Contribution c) {
        Map<String, String> files = new HashMap<>(facts.files());
        for (FileChange f : files(c)) files.put(f.path(), f.newContent());
        return HostFacts.builder().files(files).commands(facts.commands()).kernelRelease(facts.kernelRelease())
                .commandLine(facts.commandLine()).build();
    }

    @Test
    void managesAHostWithTheFileAndARefreshTool() {
        assertEquals("kernel-cmdline", writer.id());
        assertTrue(writer.manages(proxmox(PROXMOX_LINE + "\n")));
        assertTrue(writer.manages(host(Map.of("etc/kernel/cmdline", "quiet\n"), Set.of("kernel-install"), RUNNING)));
        // the file without a tool to copy it, or a tool without the file
        assertFalse(writer.manages(host(Map.of("etc/kernel/cmdline", "quiet\n"), Set.of("update-grub"), RUNNING)));
        assertFalse(writer.manages(host(Map.of("etc/default/grub", "GRUB_CMDLINE_LINUX=\"\"\n"), Set.of("proxmox-boot-tool",
                "kernel-install", "update-grub"), RUNNING)));
        // a profile's refresh command is a refresh tool too
        BootloaderWriter configured = writer.withSettings(new PluginSettings(Map.of("refresh", "my-refresh --all")));
        assertTrue(configured.manages(host(Map.of("etc/kernel/cmdline", "quiet\n"), Set.of(), RUNNING)));
    }

    @Test
    void aProxmoxHostThatGrubBootedIsNotManaged() {
        HostFacts grubBooted = HostFacts.builder().files(Map.of("etc/kernel/cmdline", PROXMOX_LINE + "\n"))
                .commands(Set.of("proxmox-boot-tool", "update-grub")).kernelRelease(RUNNING)
                .commandLine("BOOT_IMAGE=/ROOT/pve-1@/boot/vmlinuz-" + RUNNING + " " + PROXMOX_LINE).build();
        assertFalse(writer.manages(grubBooted));
    }

    @Test
    void configuredLineIsTheFilesLine() {
        assertEquals(PROXMOX_LINE, writer.configuredCommandLine(proxmox(PROXMOX_LINE + "\n")).toString());
        assertEquals("", writer.configuredCommandLine(host(Map.of(), Set.of("kernel-install"), RUNNING)).toString());
        // several lines: what kernel-install would copy (every word, joined)
        assertEquals("quiet ro splash", writer.configuredCommandLine(proxmox("quiet ro\nsplash\n")).toString());
    }

    @Test
    void editsTheOneLineAndRefreshesWithProxmoxBootTool() {
        Contribution c = writer.change(proxmox(PROXMOX_LINE + "\n"), IOMMU);
        assertEquals(PROXMOX_LINE + " intel_iommu=on iommu=pt\n", files(c).get(0).newContent());
        assertTrue(files(c).get(0).reason().startsWith("etc/kernel/cmdline line 1: \"" + PROXMOX_LINE + "\" -> \""), files(c).get(0).reason());
        assertEquals(List.of(List.of("proxmox-boot-tool", "refresh")), commands(c));
        assertEquals(List.of(), c.findings());
    }

    @Test
    void aSecondPlanAddsNothing() {
        HostFacts before = proxmox(PROXMOX_LINE + "\n");
        HostFacts once = after(before, writer.change(before, IOMMU));
        Contribution again = writer.change(once, IOMMU);
        assertEquals(List.of(), again.changes());
        assertEquals(PROXMOX_LINE + " intel_iommu=on iommu=pt", writer.configuredCommandLine(once).toString());
    }

    @Test
    void removalsTakeTheParameterOutAndKeepTheRest() {
        Contribution c = writer.change(proxmox("quiet  iommu=off\tro"), new KernelParametersChange(List.of(),
                List.of(KernelParameter.of("iommu", "off")), "undo"));
        assertEquals("quiet\tro", files(c).get(0).newContent());
    }

    @Test
    void kernelInstallRefreshesTheRunningKernelAndEveryEntrysRelease() {
        Map<String, String> files = Map.of("etc/kernel/cmdline", "root=UUID=1 ro quiet\n",
                "efi/loader/entries/abc-6.1.0-27-amd64.conf", "title Debian\nversion 6.1.0-27-amd64\noptions root=UUID=1 ro quiet\n",
                "efi/loader/entries/abc-6.1.0-26-amd64.conf", "title Debian\nversion 6.1.0-26-amd64\noptions root=UUID=1 ro quiet\n");
        Contribution c = writer.change(host(files, Set.of("kernel-install"), "6.1.0-27-amd64"), IOMMU);
        assertEquals(List.of(List.of("kernel-install", "add", "6.1.0-27-amd64", "/boot/vmlinuz-6.1.0-27-amd64"),
                List.of("kernel-install", "add", "6.1.0-26-amd64", "/boot/vmlinuz-6.1.0-26-amd64")), commands(c));
        String reasons = c.changes().stream().map(ch -> ch.reason()).toList().toString();
        assertTrue(reasons.contains("6.1.0-27-amd64 (the running kernel, has efi/loader/entries/abc-6.1.0-27-amd64.conf)"), reasons);
        assertTrue(reasons.contains("6.1.0-26-amd64 (has efi/loader/entries/abc-6.1.0-26-amd64.conf)"), reasons);
    }

    @Test
    void proxmoxBootToolComesFirstAndTheProfileSettingWins() {
        HostFacts both = host(Map.of("etc/kernel/cmdline", "quiet\n"), Set.of("kernel-install", "proxmox-boot-tool"), RUNNING);
        assertEquals(List.of(List.of("proxmox-boot-tool", "refresh")), commands(writer.change(both, IOMMU)));
        BootloaderWriter arch = writer.withSettings(new PluginSettings(Map.of("refresh",
                "kernel-install add {release} /usr/lib/modules/{release}/vmlinuz")));
        assertEquals(List.of(List.of("kernel-install", "add", RUNNING, "/usr/lib/modules/" + RUNNING + "/vmlinuz")),
                commands(arch.change(both, IOMMU)));
        assertTrue(arch.change(both, IOMMU).changes().get(1).reason().contains("the profile's refresh setting"));
        assertEquals(Set.of("refresh"), writer.settingNames());
    }

    @Test
    void refusalsNameTheFileAndLine() {
        Contribution several = writer.change(proxmox("quiet\nsplash\n"), IOMMU);
        assertEquals(List.of(), several.changes());
        assertEquals(Severity.ERROR, finding(several, "KERNEL_CMDLINE_SEVERAL_LINES").severity());
        assertTrue(finding(several, "KERNEL_CMDLINE_SEVERAL_LINES").message().startsWith("etc/kernel/cmdline line 2:"));

        Contribution nul = writer.change(proxmox("quiet\0\n"), IOMMU);
        assertEquals(List.of(), nul.changes());
        assertTrue(finding(nul, "KERNEL_CMDLINE_NUL").message().startsWith("etc/kernel/cmdline line 1:"));

        Contribution missing = writer.change(host(Map.of(), Set.of("proxmox-boot-tool"), RUNNING), IOMMU);
        assertEquals(Severity.ERROR, finding(missing, "KERNEL_CMDLINE_MISSING").severity());

        Contribution noTool = writer.change(host(Map.of("etc/kernel/cmdline", "quiet\n"), Set.of(), RUNNING), IOMMU);
        assertTrue(finding(noTool, "KERNEL_CMDLINE_NO_REFRESH").message().startsWith("etc/kernel/cmdline line 1:"));

        Contribution noRelease = writer.change(host(Map.of("etc/kernel/cmdline", "quiet\n"), Set.of("kernel-install"), null), IOMMU);
        assertEquals(List.of(), noRelease.changes());
        assertEquals(Severity.ERROR, finding(noRelease, "KERNEL_CMDLINE_NO_RELEASE").severity());
    }

    @Test
    void aValueWithALineBreakIsRefused() {
        Contribution c = writer.change(proxmox("quiet\n"), new KernelParametersChange(
                List.of(KernelParameter.of("acpi_osi", "Windows\n2020")), List.of(), "odd"));
        assertEquals(List.of(), c.changes());
        assertTrue(finding(c, "KERNEL_CMDLINE_NOT_EDITABLE").message().startsWith("etc/kernel/cmdline line 1: the new line"));
    }

    @Test
    void anEntryOfTheRunningKernelWithOtherOptionsIsAWarning() {
        Map<String, String> files = Map.of("etc/kernel/cmdline", PROXMOX_LINE + " quiet\n",
                "boot/efi/loader/entries/proxmox-" + RUNNING + ".conf", PROXMOX_ENTRY);
        Contribution c = writer.change(host(files, Set.of("proxmox-boot-tool"), RUNNING), IOMMU);
        Finding drift = finding(c, "KERNEL_CMDLINE_NOT_REFRESHED");
        assertEquals(Severity.WARNING, drift.severity());
        assertTrue(drift.message().startsWith("boot/efi/loader/entries/proxmox-" + RUNNING + ".conf line 4: the entry of "
                + "the running kernel " + RUNNING + " boots with \"" + PROXMOX_LINE + "\""), drift.message());
        assertTrue(drift.message().contains("the last refresh did not run"), drift.message());
        // the same line, kernel-install's spacing and machine id: no warning
        Map<String, String> refreshed = Map.of("etc/kernel/cmdline", "  root=UUID=1\tro\n",
                "boot/loader/entries/0123-" + RUNNING + ".conf", "title X\nversion " + RUNNING
                        + "\noptions    root=UUID=1 ro systemd.machine_id=0123\n");
        assertEquals(List.of(), writer.change(host(refreshed, Set.of("kernel-install"), RUNNING), IOMMU).findings());
        // another kernel's entry is not the running one's: no warning
        Map<String, String> other = Map.of("etc/kernel/cmdline", "quiet\n",
                "boot/loader/entries/0123-6.0.0.conf", "version 6.0.0\noptions splash\n");
        assertEquals(List.of(), writer.change(host(other, Set.of("kernel-install"), RUNNING), IOMMU).findings());
    }

    @Test
    void declaresWhatItReads() {
        assertEquals(List.of("etc/kernel/cmdline", "boot/loader/entries/*.conf", "efi/loader/entries/*.conf",
                "boot/efi/loader/entries/*.conf"), writer.hostFiles());
        assertEquals(List.of("proxmox-boot-tool", "kernel-install"), writer.hostCommands());
    }
}
