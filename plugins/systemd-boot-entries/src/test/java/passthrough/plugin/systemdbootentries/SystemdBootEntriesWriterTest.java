package passthrough.plugin.systemdbootentries;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import passthrough.api.Change;
import passthrough.api.Contribution;
import passthrough.api.FileChange;
import passthrough.api.Finding;
import passthrough.api.HostFacts;
import passthrough.api.KernelParameter;
import passthrough.api.KernelParametersChange;
import passthrough.api.Severity;

class SystemdBootEntriesWriterTest {
    private final SystemdBootEntriesWriter writer = new SystemdBootEntriesWriter();

    static final String ROOT = "root=UUID=0a3407de-014b-458b-b5c1-848e92a327a3 rw";
    /** A plain Arch install as the wiki's "systemd-boot" page sets it up. */
    static final String LOADER_CONF = "default  arch.conf\ntimeout  4\nconsole-mode max\neditor   no\n";
    static final String ARCH = "title   Arch Linux\nlinux   /vmlinuz-linux\ninitrd  /initramfs-linux.img\noptions " + ROOT + "\n";
    static final String ARCH_FALLBACK = "title   Arch Linux (fallback initramfs)\nlinux   /vmlinuz-linux\n"
            + "initrd  /initramfs-linux-fallback.img\noptions " + ROOT + "\n";
    static final String LTS = "title   Arch Linux LTS\nlinux   /vmlinuz-linux-lts\ninitrd  /initramfs-linux-lts.img\n"
            + "# the LTS kernel\noptions " + ROOT + " quiet\t\n";

    private static final KernelParametersChange IOMMU = new KernelParametersChange(
            List.of(KernelParameter.of("amd_iommu", "on"), KernelParameter.of("iommu", "pt")),
            List.of(KernelParameter.of("iommu", "off")), "turn on AMD-Vi");

    static HostFacts host(Map<String, String> files) {
        return HostFacts.builder().files(files).build();
    }

    static Map<String, String> arch() {
        Map<String, String> files = new HashMap<>();
        files.put("boot/loader/loader.conf", LOADER_CONF);
        files.put("boot/loader/entries/arch.conf", ARCH);
        files.put("boot/loader/entries/arch-fallback.conf", ARCH_FALLBACK);
        files.put("boot/loader/entries/arch-lts.conf", LTS);
        return files;
    }

    private static Map<String, String> newTexts(Contribution c) {
        Map<String, String> out = new HashMap<>();
        for (Change ch : c.changes()) if (ch instanceof FileChange f) out.put(f.path(), f.newContent());
        return out;
    }

    private static HostFacts after(HostFacts facts, Contribution c) {
        Map<String, String> files = new HashMap<>(facts.files());
        files.putAll(newTexts(c));
        return host(files);
    }

    private static Finding finding(Contribution c, String code) {
        return c.findings().stream().filter(f -> f.code().equals(code)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + code + " in " + c.findings()));
    }

    /** The lines that differ, as "N: new text"; the line count must not change. */
    static List<String> changedLines(String before, String after) {
        String[] a = before.split("\n", -1);
        String[] b = after.split("\n", -1);
        assertEquals(a.length, b.length, "line count");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < a.length; i++) if (!a[i].equals(b[i])) out.add((i + 1) + ": " + b[i]);
        return out;
    }

    @Test
    void managesEntriesWithoutEtcKernelCmdlineOrGrubReadingThem() {
        assertEquals("systemd-boot-entries", writer.id());
        assertTrue(writer.manages(host(arch())));
        Map<String, String> withCmdline = arch();
        withCmdline.put("etc/kernel/cmdline", ROOT + "\n");
        assertFalse(writer.manages(host(withCmdline)), "the entries are generated from etc/kernel/cmdline there");
        Map<String, String> fedora = arch();
        fedora.put("etc/default/grub", "GRUB_TIMEOUT=5\nGRUB_ENABLE_BLSCFG=true\n");
        assertFalse(writer.manages(host(fedora)), "GRUB reads these entries");
        fedora.put("etc/default/grub", "GRUB_ENABLE_BLSCFG=true\nGRUB_ENABLE_BLSCFG=\"false\"\n");
        assertTrue(writer.manages(host(fedora)));
        assertFalse(writer.manages(host(Map.of("etc/default/grub", "GRUB_CMDLINE_LINUX=\"\"\n"))));
        // only a Windows entry: nothing that boots Linux
        assertFalse(writer.manages(host(Map.of("efi/loader/entries/windows.conf", "title Windows\nefi /EFI/Microsoft/Boot/bootmgfw.efi\n"))));
    }

    @Test
    void configuredLineIsTheDefaultEntrysOptions() {
        assertEquals(ROOT, writer.configuredCommandLine(host(arch())).toString());
        Map<String, String> lts = arch();
        lts.put("boot/loader/loader.conf", "default arch-l*\n");
        assertEquals(ROOT + " quiet", writer.configuredCommandLine(host(lts)).toString());
        // several options lines are joined with a space
        Map<String, String> split = Map.of("efi/loader/entries/a.conf", "linux /a\noptions root=/dev/sda1\noptions  ro quiet\n");
        assertEquals("root=/dev/sda1 ro quiet", writer.configuredCommandLine(host(split)).toString());
        assertEquals("", writer.configuredCommandLine(host(Map.of())).toString());
    }

    @Test
    void editsEveryEntryButTheFallbackLosslessly() {
        Contribution c = writer.change(host(arch()), IOMMU);
        Map<String, String> edited = newTexts(c);
        assertEquals(List.of("boot/loader/entries/arch-lts.conf", "boot/loader/entries/arch.conf"),
                edited.keySet().stream().sorted().toList());
        assertEquals(List.of("4: options " + ROOT + " amd_iommu=on iommu=pt"), changedLines(ARCH, edited.get("boot/loader/entries/arch.conf")));
        // the comment, the tab after quiet and every other byte stay
        assertEquals(List.of("5: options " + ROOT + " quiet amd_iommu=on iommu=pt\t"),
                changedLines(LTS, edited.get("boot/loader/entries/arch-lts.conf")));
        Finding kept = finding(c, "LOADER_ENTRY_FALLBACK_KEPT");
        assertEquals(Severity.INFO, kept.severity());
        assertTrue(kept.message().startsWith("boot/loader/entries/arch-fallback.conf is a fallback entry and is kept unchanged"), kept.message());
        assertTrue(finding(c, "LOADER_ENTRY_DEFAULT").message().contains("boot/loader/entries/arch.conf (`default arch.conf` in boot/loader/loader.conf)"));
        String reason = c.changes().get(0).reason();
        assertTrue(reason.contains("line 4: options \"" + ROOT + "\" -> \"" + ROOT + " amd_iommu=on iommu=pt\"")
                || reason.contains("line 5: options"), reason);
        assertTrue(reason.contains("systemd-boot reads the entries at the next boot, so no command runs"), reason);
        assertTrue(c.changes().stream().allMatch(FileChange.class::isInstance), "no command: systemd-boot reads the entries itself");
    }

    @Test
    void aSecondPlanAddsNothing() {
        HostFacts before = host(arch());
        HostFacts once = after(before, writer.change(before, IOMMU));
        Contribution again = writer.change(once, IOMMU);
        assertEquals(List.of(), again.changes());
        assertEquals(ROOT + " amd_iommu=on iommu=pt", writer.configuredCommandLine(once).toString());
    }

    @Test
    void removalsComeOutOfWhicheverOptionsLineHoldsThem() {
        String entry = "title X\nlinux /vmlinuz\noptions root=/dev/sda1 iommu=off\noptions ro amd_iommu=off\n";
        Contribution c = writer.change(host(Map.of("boot/loader/entries/x.conf", entry)), IOMMU);
        assertEquals("title X\nlinux /vmlinuz\noptions root=/dev/sda1\noptions ro amd_iommu=on iommu=pt\n",
                newTexts(c).get("boot/loader/entries/x.conf"));
        Contribution undo = writer.change(host(Map.of("boot/loader/entries/x.conf", entry)), new KernelParametersChange(
                List.of(), List.of(KernelParameter.flag("amd_iommu"), KernelParameter.flag("iommu")), "undo"));
        assertEquals("title X\nlinux /vmlinuz\noptions root=/dev/sda1\noptions ro\n", newTexts(undo).get("boot/loader/entries/x.conf"));
    }

    @Test
    void anEntryWithoutOptionsGetsAnOptionsLineAndKeepsItsMissingNewline() {
        Contribution c = writer.change(host(Map.of("efi/loader/entries/x.conf", "title X\nlinux /vmlinuz")), IOMMU);
        assertEquals("title X\nlinux /vmlinuz\noptions amd_iommu=on iommu=pt", newTexts(c).get("efi/loader/entries/x.conf"));
        Contribution d = writer.change(host(Map.of("efi/loader/entries/x.conf", "title X\nlinux /vmlinuz\n")), IOMMU);
        assertEquals("title X\nlinux /vmlinuz\noptions amd_iommu=on iommu=pt\n", newTexts(d).get("efi/loader/entries/x.conf"));
    }

    @Test
    void entriesThatDisagreeInTheParametersTouchedAreAWarningNamingThem() {
        Map<String, String> files = arch();
        files.put("boot/loader/entries/arch-lts.conf", LTS.replace(" quiet", " iommu=off"));
        Contribution c = writer.change(host(files), IOMMU);
        Finding w = finding(c, "LOADER_ENTRIES_DISAGREE");
        assertEquals(Severity.WARNING, w.severity());
        assertTrue(w.message().contains("boot/loader/entries/arch-lts.conf have \"iommu=off\"")
                && w.message().contains("boot/loader/entries/arch.conf have \"\""), w.message());
        // entries differing only in parameters the change does not touch: no warning
        assertTrue(writer.change(host(arch()), IOMMU).findings().stream().noneMatch(f -> f.code().equals("LOADER_ENTRIES_DISAGREE")));
    }

    @Test
    void refusalsNameTheFileAndLine() {
        Map<String, String> nul = arch();
        nul.put("boot/loader/entries/arch.conf", "title Arch\nlinux /vmlinuz-linux\noptions ro\0\n");
        Contribution c = writer.change(host(nul), IOMMU);
        assertEquals(List.of(), c.changes());
        Finding f = finding(c, "LOADER_ENTRY_NUL");
        assertEquals(Severity.ERROR, f.severity());
        assertTrue(f.message().startsWith("boot/loader/entries/arch.conf line 3: holds a NUL byte"), f.message());

        Contribution onlyFallback = writer.change(host(Map.of("boot/loader/entries/arch-fallback.conf", ARCH_FALLBACK)), IOMMU);
        assertEquals(List.of(), onlyFallback.changes());
        assertTrue(finding(onlyFallback, "LOADER_ENTRIES_ONLY_FALLBACK").message().contains("boot/loader/entries/arch-fallback.conf"));

        assertEquals(Severity.ERROR, finding(writer.change(host(Map.of()), IOMMU), "LOADER_ENTRIES_MISSING").severity());
    }

    @Test
    void aValueWithALineBreakIsRefused() {
        Contribution c = writer.change(host(arch()), new KernelParametersChange(
                List.of(KernelParameter.of("acpi_osi", "Windows\n2020")), List.of(), "odd"));
        assertEquals(List.of(), c.changes());
        assertEquals(Severity.ERROR, finding(c, "LOADER_ENTRY_NOT_EDITABLE").severity());
    }

    @Test
    void aFallbackIsToldByItsTitleToo() {
        Map<String, String> files = Map.of("boot/loader/entries/a.conf", ARCH,
                "boot/loader/entries/b.conf", "title Rescue (Fallback)\nlinux /vmlinuz-linux\noptions " + ROOT + "\n");
        Contribution c = writer.change(host(files), IOMMU);
        assertEquals(List.of("boot/loader/entries/a.conf"), new ArrayList<>(newTexts(c).keySet()));
        assertTrue(finding(c, "LOADER_ENTRY_FALLBACK_KEPT").message().startsWith("boot/loader/entries/b.conf"));
    }

    @Test
    void declaresWhatItReadsAndNoCommand() {
        assertTrue(writer.hostFiles().containsAll(List.of("boot/loader/entries/*.conf", "efi/loader/entries/*.conf",
                "boot/efi/loader/entries/*.conf", "boot/loader/loader.conf", "efi/loader/loader.conf",
                "boot/efi/loader/loader.conf", "etc/kernel/cmdline", "etc/default/grub")), writer.hostFiles().toString());
        assertEquals(List.of(), writer.hostCommands());
    }
}
