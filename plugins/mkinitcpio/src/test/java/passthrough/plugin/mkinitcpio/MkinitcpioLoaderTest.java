package passthrough.plugin.mkinitcpio;

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
import passthrough.api.EarlyModulesChange;
import passthrough.api.FileChange;
import passthrough.api.Finding;
import passthrough.api.HostFacts;
import passthrough.api.Severity;

class MkinitcpioLoaderTest {
    static final String SCRIPT = "etc/passthrough/bind-by-address.sh";
    static final String VFIO_CONF = "etc/modprobe.d/passthrough-vfio.conf";
    static final List<String> VFIO = List.of("vfio_pci", "vfio", "vfio_iommu_type1");
    static final String HOOKS = "HOOKS=(base udev autodetect microcode modconf kms keyboard keymap consolefont block filesystems fsck)\n";

    /** Arch's shipped mkinitcpio.conf, shortened: comments, the three arrays, HOOKS. */
    static String stock(String modules) {
        return "# vim:set ft=sh\n# MODULES\n# The following modules are loaded before any boot hooks are\n# run.\n"
                + "MODULES=(" + modules + ")\n\n# BINARIES\nBINARIES=()\n\n# FILES\nFILES=()\n\n" + HOOKS
                + "\n#COMPRESSION=\"zstd\"\n#MODULES_DECOMPRESS=\"yes\"\n";
    }

    static HostFacts arch(Map<String, String> files) {
        return HostFacts.builder().kernelRelease("6.12.1-arch1-1").files(files).commands(Set.of("mkinitcpio")).build();
    }

    static Contribution load(Map<String, String> files, EarlyModulesChange change) {
        return new MkinitcpioLoader().load(arch(files), change);
    }

    static String written(Contribution c, String path) {
        return c.changes().stream().filter(ch -> ch instanceof FileChange f && f.path().equals(path))
                .map(ch -> ((FileChange) ch).newContent()).findFirst()
                .orElseThrow(() -> new AssertionError("no change of " + path + ": " + c));
    }

    static List<CommandChange> commands(Contribution c) {
        return c.changes().stream().filter(ch -> ch instanceof CommandChange).map(CommandChange.class::cast).toList();
    }

    @Test
    void theStockFileGetsTheModulesInPlaceAndEveryPresetIsRebuilt() {
        Contribution c = load(Map.of(MkinitcpioLoader.MAIN, stock("")), new EarlyModulesChange(VFIO, "early"));
        assertEquals(stock("vfio_pci vfio vfio_iommu_type1"), written(c, MkinitcpioLoader.MAIN));
        assertEquals(List.of("mkinitcpio", "-P"), commands(c).get(0).argv());
        assertTrue(c.findings().isEmpty(), c.findings().toString());
    }

    @Test
    void theModulesGoBeforeTheFirstEarlyKmsDriver() {
        Contribution nvidia = load(Map.of(MkinitcpioLoader.MAIN, stock("btrfs nvidia nvidia_modeset nvidia_uvm nvidia_drm")),
                new EarlyModulesChange(VFIO, "early"));
        assertEquals(stock("btrfs vfio_pci vfio vfio_iommu_type1 nvidia nvidia_modeset nvidia_uvm nvidia_drm"),
                written(nvidia, MkinitcpioLoader.MAIN));
        Contribution none = load(Map.of(MkinitcpioLoader.MAIN, stock("btrfs crc32c")), new EarlyModulesChange(VFIO, "early"));
        assertEquals(stock("btrfs crc32c vfio_pci vfio vfio_iommu_type1"), written(none, MkinitcpioLoader.MAIN));
    }

    @Test
    void aModuleOfOursAfterAnEarlyKmsDriverMovesInFront() {
        Contribution c = load(Map.of(MkinitcpioLoader.MAIN, stock("amdgpu vfio-pci")), new EarlyModulesChange(VFIO, "early"));
        assertEquals(stock("vfio-pci vfio vfio_iommu_type1 amdgpu"), written(c, MkinitcpioLoader.MAIN));
        Contribution neighbours = load(Map.of(MkinitcpioLoader.MAIN, stock("i915 vfio vfio_pci")),
                new EarlyModulesChange(VFIO, "early"));
        assertEquals(stock("vfio_pci vfio vfio_iommu_type1 i915"), written(neighbours, MkinitcpioLoader.MAIN));
    }

    @Test
    void aMultiLineArrayKeepsItsLayoutAndComments() {
        String main = "MODULES=(\n  btrfs   # root\n  nvidia\t# early KMS\n)\n" + HOOKS;
        Contribution c = load(Map.of(MkinitcpioLoader.MAIN, main), new EarlyModulesChange(VFIO, "early"));
        assertEquals("MODULES=(\n  btrfs   # root\n  vfio_pci vfio vfio_iommu_type1 nvidia\t# early KMS\n)\n" + HOOKS,
                written(c, MkinitcpioLoader.MAIN));
    }

    @Test
    void aSecondPlanAddsNothing() {
        EarlyModulesChange change = new EarlyModulesChange(VFIO, List.of(SCRIPT), List.of(), "early");
        Contribution first = load(Map.of(MkinitcpioLoader.MAIN, stock("nvidia")), change);
        String once = written(first, MkinitcpioLoader.MAIN);
        assertTrue(once.contains("FILES=(/" + SCRIPT + ")"), once);
        Contribution second = load(Map.of(MkinitcpioLoader.MAIN, once), change);
        assertTrue(second.changes().isEmpty(), second.changes().toString());
    }

    @Test
    void releaseTakesADeletedScriptOutOfFilesAndRebuilds() {
        String main = stock("vfio_pci vfio vfio_iommu_type1").replace("FILES=()", "FILES=(/etc/keys/root.key /" + SCRIPT + ")");
        Contribution c = load(Map.of(MkinitcpioLoader.MAIN, main),
                new EarlyModulesChange(List.of(), List.of(), List.of(VFIO_CONF, SCRIPT), "released"));
        assertEquals(main.replace(" /" + SCRIPT, ""), written(c, MkinitcpioLoader.MAIN),
                "mkinitcpio fails its build on a FILES entry that does not exist");
        assertEquals(List.of("mkinitcpio", "-P"), commands(c).get(0).argv());
        // a changed modprobe.d file alone: modconf carries it, only the rebuild is needed
        Contribution onlyModprobe = load(Map.of(MkinitcpioLoader.MAIN, stock("vfio_pci")),
                new EarlyModulesChange(List.of("vfio_pci"), List.of(), List.of(VFIO_CONF), "early"));
        assertEquals(1, onlyModprobe.changes().size(), onlyModprobe.changes().toString());
        assertTrue(commands(onlyModprobe).get(0).reason().contains("/" + VFIO_CONF));
    }

    @Test
    void withDropInsTheDropInCarriesTheWholeArrayOursFirst() {
        Map<String, String> files = new HashMap<>();
        files.put(MkinitcpioLoader.MAIN, stock("btrfs nvidia"));
        files.put(MkinitcpioLoader.DROP_IN_DIR + "10-chwd.conf", "MODULES+=(nvidia_drm)\n");
        files.put(MkinitcpioLoader.DROP_IN_DIR + "zz-late.conf", "MODULES+=(kvmfr)\n");
        Contribution c = load(files, new EarlyModulesChange(VFIO, List.of(SCRIPT), List.of(), "early"));
        String dropIn = written(c, DropInEdit.PATH);
        assertEquals(DropInEdit.HEADER + "# passthrough-modules: vfio_pci vfio vfio_iommu_type1\n"
                + "MODULES=(vfio_pci vfio vfio_iommu_type1 btrfs nvidia nvidia_drm)\nFILES+=(/" + SCRIPT + ")\n", dropIn);
        assertTrue(dropIn.startsWith("\n"), "concatenated after a main file without a final newline, it starts a line");
        assertEquals(2, c.changes().size(), "the main file is not touched: " + c.changes());

        // again: nothing; then the user drops nvidia from the main file: the copy follows, ours stay
        files.put(DropInEdit.PATH, dropIn);
        assertTrue(load(files, new EarlyModulesChange(VFIO, List.of(SCRIPT), List.of(), "early")).changes().isEmpty());
        files.put(MkinitcpioLoader.MAIN, stock("btrfs"));
        Contribution later = load(files, new EarlyModulesChange(List.of("vfio_pci"), "early"));
        assertEquals(dropIn.replace(" nvidia nvidia_drm)", " nvidia_drm)"), written(later, DropInEdit.PATH));
    }

    @Test
    void dropInsAreReadJoinedAsMkinitcpioJoinsThem() {
        // the main file's last line lacks its newline: mkinitcpio's cat glues chwd's line onto that comment
        Map<String, String> files = new HashMap<>();
        files.put(MkinitcpioLoader.MAIN, "MODULES=(btrfs)\n" + HOOKS + "#COMPRESSION=\"zstd\"");
        files.put(MkinitcpioLoader.DROP_IN_DIR + "10-chwd.conf", "MODULES=(nvidia)\n");
        String dropIn = written(load(files, new EarlyModulesChange(VFIO, "early")), DropInEdit.PATH);
        assertTrue(dropIn.contains("MODULES=(vfio_pci vfio vfio_iommu_type1 btrfs)\n"), dropIn);
    }

    @Test
    void withDropInsADeletedScriptAlsoLeavesTheMainFilesFiles() {
        Map<String, String> files = new HashMap<>();
        String main = stock("vfio_pci").replace("FILES=()", "FILES=(/" + SCRIPT + ")");
        files.put(MkinitcpioLoader.MAIN, main);
        files.put(MkinitcpioLoader.DROP_IN_DIR + "10-chwd.conf", "MODULES+=(nvidia)\n");
        Contribution c = load(files, new EarlyModulesChange(List.of(), List.of(), List.of(SCRIPT), "released"));
        assertEquals(stock("vfio_pci"), written(c, MkinitcpioLoader.MAIN));
        assertEquals(2, c.changes().size(), "the main file and the rebuild, no drop-in for nothing: " + c.changes());
    }

    @Test
    void aDropInAfterOursThatAssignsModulesIsRefused() {
        Map<String, String> files = new HashMap<>();
        files.put(MkinitcpioLoader.MAIN, stock(""));
        files.put(MkinitcpioLoader.DROP_IN_DIR + "zz-gpu.conf", "# gpu\nMODULES=(amdgpu)\n");
        Finding f = refusal(load(files, new EarlyModulesChange(VFIO, "early")));
        assertTrue(f.message().startsWith("etc/mkinitcpio.conf.d/zz-gpu.conf line 2: MODULES=( ) is read after"), f.message());
        // sorted before ours, the same file is simply part of the array we copy
        files.remove(MkinitcpioLoader.DROP_IN_DIR + "zz-gpu.conf");
        files.put(MkinitcpioLoader.DROP_IN_DIR + "90-gpu.conf", "MODULES=(amdgpu)\n");
        assertTrue(written(load(files, new EarlyModulesChange(VFIO, "early")), DropInEdit.PATH)
                .contains("MODULES=(vfio_pci vfio vfio_iommu_type1 amdgpu)\n"));
    }

    @Test
    void aPresetThatPassesAConfigMeansNoDropInIsReadSoTheMainFileIsEdited() {
        Map<String, String> files = new HashMap<>();
        files.put(MkinitcpioLoader.MAIN, stock(""));
        files.put(MkinitcpioLoader.DROP_IN_DIR + "10-chwd.conf", "MODULES+=(nvidia)\n");
        files.put("etc/mkinitcpio.d/linux.preset", "# mkinitcpio preset file\nALL_config=\"/etc/mkinitcpio.conf\"\nALL_kver=\"/boot/vmlinuz-linux\"\n");
        Contribution c = load(files, new EarlyModulesChange(VFIO, "early"));
        assertEquals(stock("vfio_pci vfio vfio_iommu_type1"), written(c, MkinitcpioLoader.MAIN));
        assertEquals("MKINITCPIO_PRESET_CONFIG", c.findings().get(0).code());
        assertTrue(c.findings().get(0).message().startsWith("etc/mkinitcpio.d/linux.preset line 2 (ALL_config=/etc/mkinitcpio.conf)"));
    }

    @Test
    void withoutModconfTheModprobeFilesWouldStayBehind() {
        String main = stock("").replace(HOOKS, "HOOKS=(base udev autodetect block filesystems)\n");
        Finding f = refusal(load(Map.of(MkinitcpioLoader.MAIN, main), new EarlyModulesChange(VFIO, "early")));
        assertEquals("MKINITCPIO_NO_MODCONF", f.code());
        assertTrue(f.message().startsWith("etc/mkinitcpio.conf line 13: HOOKS has no modconf"), f.message());
        // a drop-in that adds it counts
        Map<String, String> files = Map.of(MkinitcpioLoader.MAIN, main, MkinitcpioLoader.DROP_IN_DIR + "hooks.conf",
                "HOOKS+=(modconf)\n");
        assertTrue(load(files, new EarlyModulesChange(VFIO, "early")).findings().isEmpty());
    }

    @Test
    void modulesThatAreNotAPlainArrayAreRefusedWithFileAndLine() {
        assertRefused("MODULES=\"vfio nvidia\"\n" + HOOKS, 1, "not a ( ) array of plain words");
        assertRefused("# x\nMODULES=($(lsmod | cut -d' ' -f1))\n" + HOOKS, 2, "expand");
        assertRefused("MODULES=(a ${EXTRA})\n" + HOOKS, 1, "expand");
        assertRefused("MODULES=()\nif [ -e /etc/gpu ]; then\n  MODULES+=(nvidia)\nfi\n" + HOOKS, 3, "inside the if");
        assertRefused("MODULES=(a); MODULES+=(b)\n" + HOOKS, 1, "more commands");
        assertRefused("declare -a MODULES=(a)\n" + HOOKS, 1, "used or changed by a command");
        assertRefused("MODULES=(a\n  b\n", 3, "never closed");
        assertRefused("MODULES=(a\n  b\n" + HOOKS, 3, "syntax error");
        assertRefused("MODULES=(a b)\r\n" + HOOKS, 1, "carriage return");
        assertRefused("[[ -e /x ]] && MODULES+=(y)\n" + HOOKS, 1, "used or changed by a command");
    }

    @Test
    void namesThatOnlyLookLikeModulesAreNotMentions() {
        String main = "MODULES_DECOMPRESS=\"yes\"\nMODULES=(btrfs) # MODULES is an array\n" + HOOKS;
        assertEquals("MODULES_DECOMPRESS=\"yes\"\nMODULES=(btrfs vfio_pci) # MODULES is an array\n" + HOOKS,
                written(load(Map.of(MkinitcpioLoader.MAIN, main), new EarlyModulesChange(List.of("vfio_pci"), "e")),
                        MkinitcpioLoader.MAIN));
    }

    private static void assertRefused(String main, int line, String reason) {
        Finding f = refusal(load(Map.of(MkinitcpioLoader.MAIN, main), new EarlyModulesChange(VFIO, "early")));
        assertEquals("MKINITCPIO_CONF_UNEDITABLE", f.code());
        assertTrue(f.message().startsWith(MkinitcpioLoader.MAIN + " line " + line + ": "), f.message());
        assertTrue(f.message().contains(reason), f.message());
    }

    private static Finding refusal(Contribution c) {
        assertTrue(c.changes().isEmpty(), "never rewritten: " + c.changes());
        Finding f = c.findings().stream().filter(x -> x.severity() == Severity.ERROR).findFirst().orElseThrow();
        assertFalse(f.fix().isEmpty());
        return f;
    }

    @Test
    void managesAHostWithTheCommandAndTheMainFile() {
        MkinitcpioLoader loader = new MkinitcpioLoader();
        assertTrue(loader.manages(arch(Map.of(MkinitcpioLoader.MAIN, stock("")))));
        assertFalse(loader.manages(arch(Map.of())), "no configuration");
        assertFalse(loader.manages(HostFacts.builder().files(Map.of(MkinitcpioLoader.MAIN, stock("")))
                .commands(Set.of("update-initramfs")).build()), "a leftover file on a Debian host");
        assertEquals(List.of("mkinitcpio"), loader.hostCommands());
        assertTrue(loader.hostFiles().containsAll(List.of(MkinitcpioLoader.MAIN, "etc/mkinitcpio.conf.d/*.conf")));
        assertEquals("mkinitcpio", loader.id());
    }

    @Test
    void dropInsAreReadInVersionOrder() {
        List<String> names = new java.util.ArrayList<>(List.of("passthrough.conf", "10-b.conf", "9-a.conf", "zz.conf", "a.conf"));
        names.sort(DropInOrder.INSTANCE);
        assertEquals(List.of("9-a.conf", "10-b.conf", "a.conf", "passthrough.conf", "zz.conf"), names);
    }
}
