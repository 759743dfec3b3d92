package passthrough.plugin.dracut;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import passthrough.api.Change;
import passthrough.api.CommandChange;
import passthrough.api.Contribution;
import passthrough.api.EarlyModulesChange;
import passthrough.api.FileChange;
import passthrough.api.Finding;
import passthrough.api.HostFacts;
import passthrough.api.KernelModules;
import passthrough.api.Severity;

class DracutLoaderTest {
    static final String SCRIPT = "etc/passthrough/bind-by-address.sh";
    static final String VFIO_CONF = "etc/modprobe.d/passthrough-vfio.conf";
    static final List<String> VFIO = List.of("vfio_pci", "vfio", "vfio_iommu_type1");

    static HostFacts host(String release, Map<String, String> files) {
        return HostFacts.builder().kernelRelease(release).files(files).commands(Set.of("dracut")).build();
    }

    static HostFacts fedora(Map<String, String> files) {
        return host("6.11.4-301.fc41.x86_64", files);
    }

    static FileChange conf(Contribution c) {
        return c.changes().stream().filter(ch -> ch instanceof FileChange f && f.path().equals(DracutLoader.CONF))
                .map(FileChange.class::cast).findFirst().orElseThrow(() -> new AssertionError("no conf change: " + c));
    }

    static List<CommandChange> commands(Contribution c) {
        return c.changes().stream().filter(ch -> ch instanceof CommandChange).map(CommandChange.class::cast).toList();
    }

    @Test
    void aNewHostGetsOurConfFileAndTheRunningKernelsInitramfsRebuilt() {
        Contribution c = new DracutLoader().load(fedora(Map.of()), new EarlyModulesChange(VFIO, List.of(SCRIPT),
                List.of(VFIO_CONF, SCRIPT), "vfio-pci must be loaded before the native drivers"));
        assertEquals(DracutLoader.HEADER
                + "force_drivers+=\" vfio_pci vfio vfio_iommu_type1 \"\n"
                + "install_items+=\" /etc/passthrough/bind-by-address.sh \"\n"
                + "install_optional_items+=\" /etc/modprobe.d/passthrough-vfio.conf \"\n", conf(c).newContent());
        assertTrue(DracutLoader.CONF.endsWith(".conf"), "dracut ignores files of dracut.conf.d not ending in .conf");
        CommandChange rebuild = commands(c).get(0);
        assertEquals(List.of("dracut", "-f", "--kver", "6.11.4-301.fc41.x86_64"), rebuild.argv());
        assertTrue(rebuild.reason().contains("running kernel"), rebuild.reason());
        assertTrue(c.findings().isEmpty(), c.findings().toString());
    }

    /**
     * Debian's dracut writes &lt;ESP&gt;/&lt;machine-id&gt;/&lt;release&gt;/initrd by itself once systemd-boot's entry
     * directory exists, which the loader entry kernel-install wrote does not name (it copied /boot/initrd.img-&lt;release&gt;):
     * read in Debian 12's dracut.sh while writing RealToolsUefiTest, which checks the entry's initrd is the rebuilt one. The image is named.
     */
    @Test
    void onDebianAndItsDerivativesTheImageIsTheOneDebiansBootReads() {
        for (var os : List.of(new passthrough.api.OsRelease("debian", "12", "Debian", List.of(), Map.of()),
                new passthrough.api.OsRelease("pop", "22.04", "Pop!_OS", List.of("ubuntu", "debian"), Map.of()))) {
            HostFacts facts = HostFacts.builder().kernelRelease("6.1.0-50-amd64").commands(Set.of("dracut")).os(os).build();
            Contribution c = new DracutLoader().load(facts, new EarlyModulesChange(VFIO, "early"));
            CommandChange rebuild = commands(c).get(0);
            assertEquals(List.of("dracut", "-f", "/boot/initrd.img-6.1.0-50-amd64", "6.1.0-50-amd64"), rebuild.argv(), os.id());
            assertTrue(rebuild.reason().contains("/boot/initrd.img-6.1.0-50-amd64"), rebuild.reason());
        }
        HostFacts fedora = HostFacts.builder().kernelRelease("6.11.4-301.fc41.x86_64").commands(Set.of("dracut"))
                .os(new passthrough.api.OsRelease("fedora", "41", "Fedora", List.of(), Map.of())).build();
        assertEquals(List.of("dracut", "-f", "--kver", "6.11.4-301.fc41.x86_64"),
                commands(new DracutLoader().load(fedora, new EarlyModulesChange(VFIO, "early"))).get(0).argv());
    }

    @Test
    void vfioVirqfdIsNeverListedFor62AndLaterButKeptBefore() {
        List<String> withVirqfd = List.of("vfio", "vfio_virqfd", "vfio_iommu_type1", "vfio_pci");
        Contribution newKernel = new DracutLoader().load(host("6.2.0-1", Map.of()), new EarlyModulesChange(withVirqfd, "early"));
        assertFalse(conf(newKernel).newContent().contains("virqfd"), conf(newKernel).newContent());
        Contribution oldKernel = new DracutLoader().load(host("5.14.0-427.el9.x86_64", Map.of()),
                new EarlyModulesChange(withVirqfd, "early"));
        assertTrue(conf(oldKernel).newContent().contains("force_drivers+=\" vfio vfio_virqfd vfio_iommu_type1 vfio_pci \""));
        // the host moved to a 6.x kernel since an earlier plan: the module that no longer exists leaves our list
        Contribution upgraded = new DracutLoader().load(host("6.8.9", Map.of(DracutLoader.CONF, conf(oldKernel).newContent())),
                new EarlyModulesChange(withVirqfd, "early"));
        assertTrue(conf(upgraded).newContent().contains("force_drivers+=\" vfio vfio_iommu_type1 vfio_pci \""),
                conf(upgraded).newContent());
    }

    @Test
    void aKernelWithoutTheModuleDropsItWhateverItsReleaseSays() {
        HostFacts facts = HostFacts.builder().kernelRelease("5.15.0-custom").commands(Set.of("dracut"))
                .modules(new KernelModules(Set.of(), Set.of("vfio", "vfio_pci", "vfio_iommu_type1"), Set.of(), true)).build();
        Contribution c = new DracutLoader().load(facts, new EarlyModulesChange(List.of("vfio", "vfio_virqfd"), "early"));
        assertFalse(conf(c).newContent().contains("virqfd"));
    }

    @Test
    void anEditedFileKeepsEveryOtherByteAndGainsWordsOnlyInsideTheQuotes() {
        String before = "# mine\r\nhostonly=\"yes\"\nforce_drivers+=\" vfio_pci \"   # keep this comment\n"
                + "add_dracutmodules+=\" crypt \"\n\n# trailing, no newline";
        Contribution c = new DracutLoader().load(fedora(Map.of(DracutLoader.CONF, before)), new EarlyModulesChange(VFIO, "early"));
        assertEquals("# mine\r\nhostonly=\"yes\"\nforce_drivers+=\" vfio_pci vfio vfio_iommu_type1 \"   # keep this comment\n"
                + "add_dracutmodules+=\" crypt \"\n\n# trailing, no newline", conf(c).newContent());
    }

    @Test
    void aNewListLineAfterALastLineWithoutNewlineStartsOnItsOwnLine() {
        Contribution c = new DracutLoader().load(fedora(Map.of(DracutLoader.CONF, "hostonly=\"no\"")),
                new EarlyModulesChange(List.of("vfio_pci"), "early"));
        assertEquals("hostonly=\"no\"\nforce_drivers+=\" vfio_pci \"\n", conf(c).newContent());
    }

    @Test
    void aSecondPlanAddsNothing() {
        EarlyModulesChange change = new EarlyModulesChange(VFIO, List.of(SCRIPT), List.of(), "early");
        Contribution first = new DracutLoader().load(fedora(Map.of()), change);
        Contribution second = new DracutLoader().load(fedora(Map.of(DracutLoader.CONF, conf(first).newContent())), change);
        assertTrue(second.changes().isEmpty(), second.changes().toString());
        // names written with a dash count as the same module
        Contribution dashed = new DracutLoader().load(fedora(Map.of(DracutLoader.CONF, conf(first).newContent())),
                new EarlyModulesChange(List.of("vfio-pci"), "early"));
        assertTrue(dashed.changes().isEmpty(), dashed.changes().toString());
    }

    @Test
    void aChangedModprobeFileAloneRebuildsAndIsCarriedOptionally() {
        String earlier = DracutLoader.HEADER + "force_drivers+=\" vfio_pci \"\ninstall_optional_items+=\" /" + VFIO_CONF + " \"\n";
        Contribution c = new DracutLoader().load(fedora(Map.of(DracutLoader.CONF, earlier)),
                new EarlyModulesChange(List.of("vfio_pci"), List.of(), List.of(VFIO_CONF), "early"));
        assertEquals(1, c.changes().size(), c.changes().toString());
        assertTrue(commands(c).get(0).reason().contains("/" + VFIO_CONF), commands(c).get(0).reason());
    }

    @Test
    void releaseTakesADeletedScriptOutOfTheRequiredItemsAndRebuilds() {
        String earlier = DracutLoader.HEADER + "force_drivers+=\" vfio_pci vfio vfio_iommu_type1 \"\n"
                + "install_items+=\" /etc/passthrough/bind-by-address.sh /etc/other-tool.sh \"\n"
                + "install_optional_items+=\" /" + VFIO_CONF + " \"\n";
        // the planner: the binding deleted its script and modprobe.d file, no module is asked for
        Contribution c = new DracutLoader().load(fedora(Map.of(DracutLoader.CONF, earlier)),
                new EarlyModulesChange(List.of(), List.of(), List.of(VFIO_CONF, SCRIPT), "released"));
        assertEquals(earlier.replace(" /etc/passthrough/bind-by-address.sh", ""), conf(c).newContent(),
                "dracut fails on a missing install_items file; the optional list skips a missing one");
        assertEquals("dracut", commands(c).get(0).argv().get(0));
        // the last item leaving keeps a valid, empty list
        Contribution last = new DracutLoader().load(fedora(Map.of(DracutLoader.CONF,
                "install_items+=\" /etc/passthrough/bind-by-address.sh \"\n")),
                new EarlyModulesChange(List.of(), List.of(), List.of(SCRIPT), "released"));
        assertEquals("install_items+=\" \"\n", conf(last).newContent());
    }

    @Test
    void aPlainAssignmentInOurFileIsRefusedWithFileAndLine() {
        assertRefused("# mine\nforce_drivers=\"vfio_pci\"\n", 2, "force_drivers= replaces");
    }

    @Test
    void aListWithoutTheSpacesInsideTheQuotesIsRefused() {
        assertRefused("force_drivers+=\"vfio_pci\"\n", 1, "leading and trailing space");
        assertRefused("\n\ninstall_items+=\" /a\"\n", 3, "leading and trailing space");
    }

    @Test
    void bashBeyondAPlainListIsRefused() {
        assertRefused("force_drivers+=\" $(cat /etc/mods) \"\n", 1, "not a plain double-quoted list");
        assertRefused("force_drivers+=' vfio '\n", 1, "not a plain double-quoted list");
        assertRefused("x=1\nforce_drivers+=\" vfio\n  vfio_pci \"\n", 2, "not a plain double-quoted list");
        assertRefused("force_drivers+=\" a \\\" b \"\n", 1, "not a plain double-quoted list");
        assertRefused("# dos\r\nforce_drivers+=\" vfio \"\r\n", 2, "carriage return");
    }

    private static void assertRefused(String file, int line, String reason) {
        Contribution c = new DracutLoader().load(fedora(Map.of(DracutLoader.CONF, file)), new EarlyModulesChange(VFIO,
                List.of(SCRIPT), "early"));
        assertTrue(c.changes().isEmpty(), "never rewritten: " + c.changes());
        Finding f = c.findings().get(0);
        assertEquals(Severity.ERROR, f.severity());
        assertTrue(f.message().startsWith(DracutLoader.CONF + " line " + line + ": "), f.message());
        assertTrue(f.message().contains(reason), f.message());
        assertFalse(f.fix().isEmpty());
    }

    @Test
    void aLaterFileThatReplacesOurListsOrOmitsOurModulesIsAWarning() {
        Map<String, String> files = new HashMap<>();
        files.put("etc/dracut.conf.d/zz-local.conf", "# x\nforce_drivers=\" nvme \"\n");
        files.put("etc/dracut.conf.d/10-early.conf", "force_drivers=\" nvme \"\n"); // before ours: we append to it
        files.put("usr/lib/dracut/dracut.conf.d/50-omit.conf", "omit_drivers+=\" vfio_pci \"\n");
        Contribution c = new DracutLoader().load(fedora(files), new EarlyModulesChange(VFIO, "early"));
        List<String> messages = c.findings().stream().map(Finding::message).toList();
        assertEquals(2, messages.size(), messages.toString());
        assertTrue(messages.contains("etc/dracut.conf.d/zz-local.conf line 2: force_drivers= is read after "
                + DracutLoader.CONF + " and replaces the list it adds to"), messages.toString());
        assertTrue(messages.get(0).startsWith("usr/lib/dracut/dracut.conf.d/50-omit.conf line 1: omit_drivers names vfio_pci"),
                messages.toString());
        assertTrue(c.findings().stream().allMatch(f -> f.severity() == Severity.WARNING));
    }

    @Test
    void unknownReleaseOrMissingToolIsAnError() {
        Contribution noRelease = new DracutLoader().load(HostFacts.builder().commands(Set.of("dracut")).build(),
                new EarlyModulesChange(VFIO, "early"));
        assertEquals("KERNEL_RELEASE_UNKNOWN", noRelease.findings().get(0).code());
        Contribution noTool = new DracutLoader().load(HostFacts.builder().kernelRelease("6.8.0").build(),
                new EarlyModulesChange(VFIO, "early"));
        assertEquals("NO_DRACUT", noTool.findings().get(0).code());
    }

    @Test
    void managesHostsWithTheDracutCommandOnlyAndDeclaresWhatItReads() {
        DracutLoader loader = new DracutLoader();
        assertTrue(loader.manages(fedora(Map.of())));
        assertFalse(loader.manages(HostFacts.builder().files(Map.of(DracutLoader.CONF, "force_drivers+=\" x \"\n"))
                .commands(Set.of("update-initramfs")).build()), "a leftover file does not make a host dracut's");
        assertEquals(List.of("dracut"), loader.hostCommands());
        assertTrue(loader.hostFiles().contains("etc/dracut.conf.d/*.conf"));
        assertEquals("dracut", loader.id());
    }

    @Test
    void changesAreOnlyFileChangesAndCommands() {
        Contribution c = new DracutLoader().load(fedora(Map.of()), new EarlyModulesChange(VFIO, "early"));
        for (Change ch : c.changes()) assertTrue(ch instanceof FileChange || ch instanceof CommandChange, ch.toString());
    }
}
