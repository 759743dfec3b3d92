package passthrough.plugin.vfiopci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import passthrough.api.Change;
import passthrough.api.Contribution;
import passthrough.api.CpuInfo;
import passthrough.api.CpuVendor;
import passthrough.api.EarlyModulesChange;
import passthrough.api.FileChange;
import passthrough.api.HostFacts;
import passthrough.api.KernelCommandLine;
import passthrough.api.KernelModules;
import passthrough.api.KernelParametersChange;
import passthrough.api.PciAddress;
import passthrough.api.PciClassCode;
import passthrough.api.PciDevice;
import passthrough.api.PciId;
import passthrough.api.Reservation;
import passthrough.api.Severity;

class VfioPciBindingTest {
    final VfioPciBinding binding = new VfioPciBinding();

    static PciDevice dev(String addr, int device, int cls, String driver, String... claiming) {
        return new PciDevice(PciAddress.parse(addr), new PciId(0x10de, device), null, new PciClassCode(cls), 0xa1, false,
                driver, null, 34, null, null, "c", List.of(claiming));
    }

    /** The seed's GTX 1660 group. */
    static final List<PciDevice> GTX1660 = List.of(
            dev("65:00.0", 0x2184, 0x030000, "nvidia", "nouveau", "nvidia"),
            dev("65:00.1", 0x1aeb, 0x040300, "snd_hda_intel", "snd_hda_intel"),
            dev("65:00.2", 0x1aec, 0x0c0330, "xhci_hcd", "xhci_pci"),
            dev("65:00.3", 0x1aed, 0x0c8000, "nvidia-gpu", "i2c_nvidia_gpu"));

    static final Set<String> LOADABLE = Set.of("vfio_pci", "vfio", "xhci_pci", "nouveau", "nvidia", "snd_hda_intel",
            "i2c_nvidia_gpu", "amdgpu");

    static HostFacts host(String release, Set<String> builtin, String cmdline) {
        return HostFacts.builder().devices(GTX1660).cpu(new CpuInfo(CpuVendor.INTEL, "cpu", true, true)).commandLine(cmdline)
                .kernelRelease(release).modules(new KernelModules(builtin, LOADABLE, Set.of(), true)).build();
    }

    static <T extends Change> List<T> of(Contribution c, Class<T> type) {
        return c.changes().stream().filter(type::isInstance).map(type::cast).toList();
    }

    @Test
    void moduleRouteWritesOptionsSoftdepsForEveryClaimingDriverAndEarlyModules() {
        Contribution c = binding.reserve(host("5.4.0-150-generic", Set.of(), "quiet"), new Reservation(GTX1660, false));
        FileChange conf = of(c, FileChange.class).get(0);
        assertEquals("etc/modprobe.d/passthrough-vfio.conf", conf.path());
        assertTrue(conf.newContent().endsWith("options vfio-pci ids=10de:2184,10de:1aeb,10de:1aec,10de:1aed\n"
                + "softdep i2c_nvidia_gpu pre: vfio-pci\nsoftdep nouveau pre: vfio-pci\nsoftdep nvidia pre: vfio-pci\n"
                + "softdep snd_hda_intel pre: vfio-pci\nsoftdep xhci_pci pre: vfio-pci\n"), conf.newContent());
        assertEquals(List.of("vfio", "vfio_virqfd", "vfio_iommu_type1", "vfio_pci"), of(c, EarlyModulesChange.class).get(0).modules());
        assertTrue(of(c, KernelParametersChange.class).isEmpty(), "ids on the command line do nothing for a module");
        assertEquals("vfio-pci ids and load order", conf.reason(), "no by-address hook on this route");
    }

    @Test
    void noVfioVirqfdFrom62() {
        Contribution c = binding.reserve(host("6.8.0-45-generic", Set.of(), ""), new Reservation(GTX1660, false));
        assertEquals(List.of("vfio", "vfio_iommu_type1", "vfio_pci"), of(c, EarlyModulesChange.class).get(0).modules());
        assertTrue(VfioPciBinding.before62("5.15.0"));
        assertFalse(VfioPciBinding.before62("6.2.0"));
    }

    @Test
    void builtInVfioPciTakesIdsOnTheCommandLineMergedWithExistingOnes() {
        Contribution c = binding.reserve(host("5.4.0", Set.of("vfio_pci"), "quiet vfio-pci.ids=1002:67df,10de:2184"),
                new Reservation(GTX1660, false));
        KernelParametersChange k = of(c, KernelParametersChange.class).get(0);
        // the binding says what it adds; merged into the configured line the ids already there stay first
        assertEquals("quiet vfio-pci.ids=1002:67df,10de:2184,10de:1aeb,10de:1aec,10de:1aed",
                k.applyTo(KernelCommandLine.parse("quiet vfio-pci.ids=1002:67df,10de:2184")).toString());
        assertTrue(of(c, FileChange.class).isEmpty());
    }

    @Test
    void aBuiltInCompetitorIsAnErrorNamingDeviceAndDriver() {
        Contribution c = binding.reserve(host("5.4.0", Set.of("xhci_pci"), ""), new Reservation(GTX1660, false));
        assertEquals(Severity.ERROR, c.findings().get(0).severity());
        assertTrue(c.findings().get(0).message().startsWith("xhci_pci claims 0000:65:00.2"), c.findings().get(0).message());
    }

    @Test
    void identicalIdsAreBoundByAddressWithTheIdsChecked() {
        Contribution c = binding.reserve(host("6.1.0", Set.of(), ""), new Reservation(GTX1660, true));
        List<FileChange> files = of(c, FileChange.class);
        FileChange script = files.stream().filter(f -> f.path().equals("etc/passthrough/bind-by-address.sh")).findFirst().orElseThrow();
        assertTrue(script.newContent().contains("bind 0000:65:00.0 0x10de 0x2184\n"), script.newContent());
        assertTrue(script.newContent().contains("echo vfio-pci > $d/driver_override"));
        FileChange conf = files.stream().filter(f -> f.path().endsWith("passthrough-vfio.conf")).findFirst().orElseThrow();
        assertFalse(conf.newContent().contains("options vfio-pci ids="), "ids would take the twin card too");
        assertTrue(conf.newContent().contains("install vfio-pci /bin/sh /etc/passthrough/bind-by-address.sh; /sbin/modprobe --ignore-install vfio-pci"));
        assertEquals("by-address hook and load order", conf.reason(), "no ids on this route");
    }

    static HostFacts host(List<PciDevice> devices, Set<String> builtin, String cmdline, Map<String, String> files) {
        return HostFacts.builder().devices(devices).cpu(new CpuInfo(CpuVendor.INTEL, "cpu", true, true)).commandLine(cmdline)
                .kernelRelease("6.1.0-27-amd64").modules(new KernelModules(builtin, LOADABLE, Set.of(), true)).files(files).build();
    }

    static String conf(Contribution c) {
        return of(c, FileChange.class).stream().filter(f -> f.path().equals(VfioPciBinding.CONF)).findFirst().orElseThrow().newContent();
    }

    @Test
    void afterTheRebootTheSoftdepsOfTheFirstPlanAreKept() {
        Contribution first = binding.reserve(host(GTX1660, Set.of(), "", Map.of()), new Reservation(GTX1660, false));
        // rebooted: every function sits on vfio-pci and the proprietary driver is not in modules.alias
        List<PciDevice> rebooted = List.of(dev("65:00.0", 0x2184, 0x030000, "vfio-pci", "nouveau"),
                dev("65:00.1", 0x1aeb, 0x040300, "vfio-pci", "snd_hda_intel"),
                dev("65:00.2", 0x1aec, 0x0c0330, "vfio-pci", "xhci_pci"), dev("65:00.3", 0x1aed, 0x0c8000, "vfio-pci"));
        Contribution again = binding.reserve(host(rebooted, Set.of(), "", Map.of(VfioPciBinding.CONF, conf(first))),
                new Reservation(rebooted, false));
        assertEquals(conf(first), conf(again), "a second plan must not drop softdeps it can no longer see");
        assertTrue(conf(again).contains("softdep nvidia pre: vfio-pci\n"));
    }

    @Test
    void aSecondGpuIsAddedToTheIdsOfTheFirst() {
        List<PciDevice> other = List.of(new PciDevice(PciAddress.parse("0a:00.0"), new PciId(0x1002, 0x67df), null,
                new PciClassCode(0x030000), 0, false, "amdgpu", null, 12, null, null, "RX 580", List.of("amdgpu")));
        String before = "# Written by passthrough\noptions vfio-pci ids=10de:2184,10de:1aeb\nsoftdep nouveau pre: vfio-pci\n";
        Contribution c = binding.reserve(host(other, Set.of(), "", Map.of(VfioPciBinding.CONF, before)), new Reservation(other, false));
        assertTrue(conf(c).contains("options vfio-pci ids=10de:2184,10de:1aeb,1002:67df\n"), conf(c));
        assertTrue(conf(c).contains("softdep amdgpu pre: vfio-pci\nsoftdep nouveau pre: vfio-pci\n"), conf(c));
    }

    @Test
    void byAddressNamesTheScriptAsAFileTheEarlyBootMustCarry() {
        Contribution c = binding.reserve(host(GTX1660, Set.of(), "", Map.of()), new Reservation(GTX1660, true));
        assertEquals(List.of(VfioPciBinding.BY_ADDRESS_SCRIPT), of(c, EarlyModulesChange.class).get(0).extraFiles());
        String script = of(c, FileChange.class).stream().filter(f -> f.path().equals(VfioPciBinding.BY_ADDRESS_SCRIPT))
                .findFirst().orElseThrow().newContent();
        assertEquals(4, ByAddressScript.read(script).size(), "the script reads back what it binds");
    }

    @Test
    void byAddressWithVfioPciBuiltInIsRefusedWithTheReason() {
        Contribution c = binding.reserve(host(GTX1660, Set.of("vfio_pci"), "", Map.of()), new Reservation(GTX1660, true));
        assertEquals("BUILTIN_BY_ADDRESS", c.findings().get(0).code());
        assertEquals(Severity.ERROR, c.findings().get(0).severity());
        assertTrue(c.changes().isEmpty());
    }

    @Test
    void releaseTakesTheDevicesOutOfTheFileAndTheCommandLineAndDeletesWhatIsLeftEmpty() {
        String before = "options vfio-pci ids=10de:2184,10de:1aeb,10de:1aec,10de:1aed\nsoftdep nouveau pre: vfio-pci\n";
        Contribution c = binding.release(host(GTX1660, Set.of(), "quiet vfio-pci.ids=10de:2184,1002:67df",
                Map.of(VfioPciBinding.CONF, before)), new Reservation(GTX1660, false));
        FileChange deleted = of(c, FileChange.class).get(0);
        assertEquals(VfioPciBinding.CONF, deleted.path());
        assertEquals(null, deleted.newContent());
        KernelParametersChange k = of(c, KernelParametersChange.class).get(0);
        assertEquals("quiet vfio-pci.ids=1002:67df", k.applyTo(KernelCommandLine.parse("quiet vfio-pci.ids=10de:2184,1002:67df")).toString());
    }

    @Test
    void releaseKeepsAnotherGroupsIds() {
        String before = "options vfio-pci ids=10de:2184,1002:67df\nsoftdep amdgpu pre: vfio-pci\n";
        Contribution c = binding.release(host(GTX1660, Set.of(), "", Map.of(VfioPciBinding.CONF, before)),
                new Reservation(GTX1660, false));
        assertTrue(conf(c).contains("options vfio-pci ids=1002:67df\nsoftdep amdgpu pre: vfio-pci\n"), conf(c));
    }

    @Test
    void releaseOfNothingChangesNothing() {
        Contribution c = binding.release(host(GTX1660, Set.of(), "quiet", Map.of()), new Reservation(GTX1660, false));
        // only a list removal, which leaves a line without these ids as it is (so the planner calls no bootloader writer)
        assertTrue(of(c, FileChange.class).isEmpty());
        for (KernelParametersChange k : of(c, KernelParametersChange.class)) {
            assertTrue(k.changesNothingOn(KernelCommandLine.parse("quiet")));
        }
    }

    @Test
    void aDriverNameThatIsNoModuleGetsNoSoftdep() {
        List<PciDevice> bochs = List.of(new PciDevice(PciAddress.parse("01:00.0"), new PciId(0x1234, 0x1111), null,
                new PciClassCode(0x038000), 2, false, "bochs-drm", null, 7, null, null, "display", List.of("bochs")));
        HostFacts h = HostFacts.builder().devices(bochs).cpu(new CpuInfo(CpuVendor.INTEL, "cpu", true, true))
                .kernelRelease("6.1.0-27-amd64").modules(new KernelModules(Set.of(), Set.of("vfio_pci", "bochs"), Set.of(), true))
                .build();
        String conf = conf(binding.reserve(h, new Reservation(bochs, false)));
        assertTrue(conf.contains("softdep bochs pre: vfio-pci\n"), conf);
        assertFalse(conf.contains("bochs_drm"), conf);
    }

    @Test
    void aHandEditedImpossibleAddressInTheScriptIsIgnoredNotFatal() {
        assertEquals(1, ByAddressScript.read("bind 0000:01:3f.0 0x1234 0x1111\nbind 0000:01:00.1 0x8086 0x293e\n").size());
    }
}
