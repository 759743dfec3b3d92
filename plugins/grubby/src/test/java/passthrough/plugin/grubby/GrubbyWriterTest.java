package passthrough.plugin.grubby;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import passthrough.api.CommandChange;
import passthrough.api.Contribution;
import passthrough.api.FileChange;
import passthrough.api.HostFacts;
import passthrough.api.KernelParameter;
import passthrough.api.KernelParametersChange;

class GrubbyWriterTest {
    static final String REL = "6.8.9-300.fc40.x86_64";
    static final String OPTIONS = "root=UUID=4f3c2a1b-9d8e-4c7b-a6f5-1e2d3c4b5a69 ro rootflags=subvol=root rhgb quiet";
    static final String GRUB = "GRUB_TIMEOUT=5\nGRUB_DISTRIBUTOR=\"$(sed 's, release .*$,,g' /etc/system-release)\"\n"
            + "GRUB_DEFAULT=saved\nGRUB_DISABLE_SUBMENU=true\nGRUB_TERMINAL_OUTPUT=\"console\"\n"
            + "GRUB_CMDLINE_LINUX=\"rootflags=subvol=root rhgb quiet\"\nGRUB_DISABLE_RECOVERY=\"true\"\nGRUB_ENABLE_BLSCFG=true\n";
    private final GrubbyWriter writer = new GrubbyWriter();

    static String entry(String version, String options) {
        return "title Fedora Linux (" + version + ") 40 (Workstation Edition)\nversion " + version + "\nlinux /vmlinuz-"
                + version + "\ninitrd /initramfs-" + version + ".img\noptions " + options
                + "\ngrub_users $grub_users\ngrub_arg --unrestricted\ngrub_class fedora\n";
    }

    static Map<String, String> fedora() {
        Map<String, String> files = new HashMap<>();
        files.put("boot/loader/entries/a1b2-" + REL + ".conf", entry(REL, OPTIONS));
        files.put("boot/loader/entries/a1b2-6.8.5-301.fc40.x86_64.conf", entry("6.8.5-301.fc40.x86_64", OPTIONS));
        files.put("etc/default/grub", GRUB);
        return files;
    }

    static HostFacts host(Map<String, String> files) {
        return HostFacts.builder().kernelRelease(REL).files(files).commands(Set.of("grubby")).build();
    }

    static KernelParametersChange set(String... params) {
        return new KernelParametersChange(List.of(params).stream().map(KernelParameter::parse).toList(), List.of(), "test");
    }

    @Test
    void managesBlsEntriesWithGrubby() {
        assertTrue(writer.manages(host(fedora())));
        assertFalse(writer.manages(HostFacts.builder().files(fedora()).commands(Set.of()).build()), "no grubby");
        Map<String, String> noEntries = new HashMap<>(fedora());
        noEntries.keySet().removeIf(k -> k.startsWith("boot/"));
        assertFalse(writer.manages(host(noEntries)));
    }

    @Test
    void addsWithGrubbyAndGrubCmdlineLinuxAndUndoesWithGrubby() {
        Contribution c = writer.change(host(fedora()), set("intel_iommu=on", "iommu=pt"));
        FileChange grub = (FileChange) c.changes().get(0);
        assertEquals("etc/default/grub", grub.path());
        assertEquals(GRUB.replace("GRUB_CMDLINE_LINUX=\"rootflags=subvol=root rhgb quiet\"",
                "GRUB_CMDLINE_LINUX=\"rootflags=subvol=root rhgb quiet intel_iommu=on iommu=pt\""), grub.newContent());
        CommandChange cmd = (CommandChange) c.changes().get(1);
        assertEquals(List.of("grubby", "--update-kernel=ALL", "--args=intel_iommu=on iommu=pt"), cmd.argv());
        assertEquals(List.of("grubby", "--update-kernel=ALL", "--remove-args=intel_iommu iommu"), ((passthrough.api.CommandUndo.Run) cmd.undo()).argv());
        assertTrue(c.findings().isEmpty(), c.findings().toString());
    }

    @Test
    void aChangedValueIsReplacedAndPutBack() {
        Map<String, String> files = fedora();
        files.replaceAll((k, v) -> v.replace(OPTIONS, OPTIONS + " vfio-pci.ids=10de:1b80 iommu=off"));
        Contribution c = writer.change(host(files), new KernelParametersChange(List.of(KernelParameter.parse(
                "vfio-pci.ids=10de:1b80,10de:10f0")), List.of(KernelParameter.flag("iommu")), "test"));
        CommandChange cmd = (CommandChange) c.changes().stream().filter(x -> x instanceof CommandChange).findFirst().orElseThrow();
        assertEquals(List.of("grubby", "--update-kernel=ALL", "--args=vfio-pci.ids=10de:1b80,10de:10f0",
                "--remove-args=iommu=off"), cmd.argv());
        assertEquals(List.of("grubby", "--update-kernel=ALL", "--args=vfio-pci.ids=10de:1b80 iommu=off"), ((passthrough.api.CommandUndo.Run) cmd.undo()).argv());
    }

    @Test
    void kerneloptsComeFromGrubenv() {
        Map<String, String> files = fedora();
        files.replaceAll((k, v) -> v.replace("options " + OPTIONS, "options $kernelopts $tuned_params"));
        files.put("boot/grub2/grubenv", GrubEnv.SIGNATURE + "saved_entry=a1b2-" + REL + "\nkernelopts=" + OPTIONS
                + " \ntuned_params=\n" + "#".repeat(900));
        assertEquals(OPTIONS, writer.configuredCommandLine(host(files)).toString());
        Contribution c = writer.change(host(files), set("intel_iommu=on"));
        assertEquals(List.of("grubby", "--update-kernel=ALL", "--args=intel_iommu=on"),
                ((CommandChange) c.changes().get(1)).argv());
        // a variable grubenv does not set: what GRUB passes is unknown
        files.put("boot/grub2/grubenv", GrubEnv.SIGNATURE + "tuned_params=\n");
        Contribution unset = writer.change(host(files), set("intel_iommu=on"));
        assertTrue(unset.changes().isEmpty());
        assertEquals("BLS_VARIABLE_UNSET", unset.findings().get(0).code());
        assertTrue(unset.findings().get(0).message().contains("line 5") && unset.findings().get(0).message().contains("$kernelopts"),
                unset.findings().get(0).message());
    }

    @Test
    void entriesThatDisagreeAreRefusedNamingTheFiles() {
        Map<String, String> files = fedora();
        files.put("boot/loader/entries/a1b2-6.8.5-301.fc40.x86_64.conf", entry("6.8.5-301.fc40.x86_64", OPTIONS + " nomodeset"));
        Contribution c = writer.change(host(files), set("intel_iommu=on"));
        assertTrue(c.changes().isEmpty());
        String m = c.findings().get(0).message();
        assertEquals("BLS_ENTRIES_DISAGREE", c.findings().get(0).code());
        assertTrue(m.contains("boot/loader/entries/a1b2-6.8.5-301.fc40.x86_64.conf line 5") && m.contains("nomodeset")
                && m.contains("boot/loader/entries/a1b2-" + REL + ".conf line 5"), m);
        // the next boot's line is still the running kernel's entry
        assertEquals(OPTIONS, writer.configuredCommandLine(host(files)).toString());
    }

    @Test
    void aGrubCmdlineLinuxThatIsNotPlainIsRefusedWithItsLine() {
        Map<String, String> files = fedora();
        files.put("etc/default/grub", GRUB.replace("GRUB_CMDLINE_LINUX=\"rootflags=subvol=root rhgb quiet\"",
                "GRUB_CMDLINE_LINUX=\"$EXTRA rhgb quiet\""));
        Contribution c = writer.change(host(files), set("intel_iommu=on"));
        assertTrue(c.changes().isEmpty());
        assertTrue(c.findings().get(0).message().startsWith("etc/default/grub line 6: GRUB_CMDLINE_LINUX is not a plain"),
                c.findings().get(0).message());
        // absent: appended, every other byte kept
        files.put("etc/default/grub", "GRUB_TIMEOUT=5");
        FileChange f = (FileChange) writer.change(host(files), set("intel_iommu=on")).changes().get(0);
        assertEquals("GRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX=\"intel_iommu=on\"\n", f.newContent());
    }

    @Test
    void nothingToDoWhenTheEntriesHaveIt() {
        Map<String, String> files = fedora();
        files.replaceAll((k, v) -> v.replace(OPTIONS, OPTIONS + " intel_iommu=on"));
        assertTrue(writer.change(host(files), set("intel_iommu=on")).changes().isEmpty());
    }

    @Test
    void aValueWithASpaceCannotBePassedToGrubby() {
        Contribution c = writer.change(host(fedora()), set("dyndbg=\"file x +p\""));
        assertTrue(c.changes().isEmpty());
        assertEquals("GRUBBY_ARGUMENT_NOT_PASSABLE", c.findings().get(0).code());
    }

    /**
     * A stock RHEL-family host: tuned's kernel-install hook put {@code $tuned_params} on every entry but the rescue
     * one, and neither grubenv nor grub.cfg sets it (no tuned profile touched the boot options). GRUB expands it to
     * nothing; the entries agree once tuned's part is set aside; the plan goes ahead and says so.
     */
    @Test
    void tunedVariablesSetNowhereAreEmptyAndTheRescueEntryStillAgrees() {
        Map<String, String> files = rocky();
        assertEquals("root=/dev/mapper/rl-root ro rd.lvm.lv=rl/root rhgb quiet",
                writer.configuredCommandLine(rockyHost(files)).toString());
        Contribution c = writer.change(rockyHost(files), set("intel_iommu=on", "iommu=pt"));
        assertEquals(List.of("grubby", "--update-kernel=ALL", "--args=intel_iommu=on iommu=pt"), grubbyArgv(c));
        passthrough.api.Finding tuned = c.findings().stream().filter(f -> f.code().equals("BLS_TUNED_VARIABLES")).findFirst().orElseThrow();
        assertTrue(tuned.message().contains("$tuned_params (\"\": set neither in /boot/grub2/grubenv nor in /boot/grub2/grub.cfg"),
                tuned.message());
        assertTrue(c.findings().stream().noneMatch(f -> f.severity() == passthrough.api.Severity.ERROR), c.findings().toString());
    }

    /** grub.cfg's 00_tuned block (run after load_env) wins over grubenv; its value is on the next boot's line. */
    @Test
    void tunedParamsFromGrubCfgOverrideGrubenvAndStayTunedsOwn() {
        Map<String, String> files = rocky();
        files.put("boot/grub2/grubenv", GrubEnv.SIGNATURE + "saved_entry=x\ntuned_params=skew_tick=1\n" + "#".repeat(900));
        files.put("boot/grub2/grub.cfg", "### BEGIN /etc/grub.d/00_tuned ###\nset tuned_params=\"isolcpus=2-3 nohz_full=2-3\"\n"
                + "set tuned_initrd=\"\"\n### END /etc/grub.d/00_tuned ###\n");
        assertEquals("root=/dev/mapper/rl-root ro rd.lvm.lv=rl/root rhgb quiet isolcpus=2-3 nohz_full=2-3",
                writer.configuredCommandLine(rockyHost(files)).toString());
        Contribution c = writer.change(rockyHost(files), set("intel_iommu=on", "iommu=pt"));
        assertEquals(List.of("grubby", "--update-kernel=ALL", "--args=intel_iommu=on iommu=pt"), grubbyArgv(c),
                "tuned's isolcpus is not grubby's to pass");
        assertTrue(c.findings().stream().anyMatch(f -> f.message().contains("\"isolcpus=2-3 nohz_full=2-3\": /boot/grub2/grub.cfg")),
                c.findings().toString());
    }

    /** Any other variable grubenv lacks is still refused: $kernelopts unset means the next boot's line is unknown. */
    @Test
    void anUnsetKerneloptsIsStillRefused() {
        Map<String, String> files = rocky();
        files.replaceAll((k, v) -> k.startsWith("boot/loader/") ? v.replaceAll("(?m)^options .*$", "options \\$kernelopts \\$tuned_params") : v);
        Contribution c = writer.change(rockyHost(files), set("intel_iommu=on"));
        assertTrue(c.changes().isEmpty());
        assertEquals("BLS_VARIABLE_UNSET", c.findings().get(0).code());
        assertTrue(c.findings().get(0).message().contains("$kernelopts") && !c.findings().get(0).message().contains("tuned"),
                c.findings().get(0).message());
    }

    static final String ROCKY_REL = "5.14.0-427.13.1.el9_4.x86_64";

    static HostFacts rockyHost(Map<String, String> files) {
        return HostFacts.builder().kernelRelease(ROCKY_REL).files(files).commands(Set.of("grubby")).build();
    }

    static final String ROCKY_OPTIONS = "root=/dev/mapper/rl-root ro rd.lvm.lv=rl/root rhgb quiet";

    /** Rocky 9.4 as installed with tuned: the kernel's entry ends in $tuned_params, the rescue entry does not. */
    static Map<String, String> rocky() {
        String rel = ROCKY_REL;
        Map<String, String> files = new HashMap<>();
        files.put("boot/loader/entries/0f1e-" + rel + ".conf", "title Rocky Linux (" + rel + ") 9.4 (Blue Onyx)\nversion " + rel
                + "\nlinux /vmlinuz-" + rel + "\ninitrd /initramfs-" + rel + ".img $tuned_initrd\noptions " + ROCKY_OPTIONS
                + " $tuned_params\ngrub_users $grub_users\ngrub_arg --unrestricted\ngrub_class rocky\n");
        files.put("boot/loader/entries/0f1e-0-rescue.conf", "title Rocky Linux (0-rescue-0f1e) 9.4 (Blue Onyx)\nversion 0-rescue-0f1e"
                + "\nlinux /vmlinuz-0-rescue-0f1e\ninitrd /initramfs-0-rescue-0f1e.img\noptions " + ROCKY_OPTIONS
                + "\ngrub_users $grub_users\ngrub_arg --unrestricted\ngrub_class rocky\n");
        files.put("boot/grub2/grubenv", GrubEnv.SIGNATURE + "saved_entry=0f1e-" + rel + "\nboot_success=0\n" + "#".repeat(900));
        files.put("etc/default/grub", "GRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX=\"rd.lvm.lv=rl/root rhgb quiet\"\nGRUB_ENABLE_BLSCFG=true\n");
        return files;
    }

    static List<String> grubbyArgv(Contribution c) {
        return c.changes().stream().filter(x -> x instanceof CommandChange).map(x -> ((CommandChange) x).argv()).findFirst()
                .orElseThrow(() -> new AssertionError("no grubby command: " + c.findings()));
    }
}
