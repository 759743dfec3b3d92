package passthrough.core.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import passthrough.api.BindingStrategy;
import passthrough.api.BootloaderWriter;
import passthrough.api.CommandChange;
import passthrough.api.Contribution;
import passthrough.api.CpuInfo;
import passthrough.api.CpuVendor;
import passthrough.api.EarlyModuleLoader;
import passthrough.api.EarlyModulesChange;
import passthrough.api.FileChange;
import passthrough.api.FirmwareTable;
import passthrough.api.HardwareProbe;
import passthrough.api.HostFacts;
import passthrough.api.IommuGroup;
import passthrough.api.IommuRequirement;
import passthrough.api.KernelCommandLine;
import passthrough.api.KernelModules;
import passthrough.api.KernelParameter;
import passthrough.api.KernelParametersChange;
import passthrough.api.PciAddress;
import passthrough.api.PciClassCode;
import passthrough.api.PciDevice;
import passthrough.api.PciId;
import passthrough.api.Presence;
import passthrough.api.Reservation;
import passthrough.core.host.HostRoot;

/** The planner's rules with small in-test plugins: which devices, which refusals, how contributions combine. */
class PlannerTest {
    @TempDir
    Path dir;
    HostRoot root;
    final List<Reservation> seen = new ArrayList<>();

    @BeforeEach
    void root() throws Exception {
        Files.createDirectories(dir.resolve("sys"));
        Files.createDirectories(dir.resolve("etc"));
        Files.writeString(dir.resolve("etc/bootline"), "quiet\n");
        root = HostRoot.open(dir, null);
    }

    static PciDevice dev(String addr, int vendor, int device, int cls, Integer group, boolean bootVga) {
        return new PciDevice(PciAddress.parse(addr), new PciId(vendor, device), null, new PciClassCode(cls), 0xa1, bootVga,
                "drv", null, group, null, null, "class", List.of());
    }

    HostFacts host(List<PciDevice> devices, Map<PciAddress, String> critical, String cmdline) {
        Map<Integer, List<PciAddress>> byGroup = new java.util.TreeMap<>();
        for (PciDevice d : devices) if (d.iommuGroup() != null) byGroup.computeIfAbsent(d.iommuGroup(), k -> new ArrayList<>()).add(d.address());
        List<IommuGroup> groups = byGroup.entrySet().stream().map(e -> new IommuGroup(e.getKey(), e.getValue())).toList();
        return HostFacts.builder().devices(devices).groups(groups).firmwareTables(Map.of(FirmwareTable.DMAR, Presence.PRESENT))
                .cpu(new CpuInfo(CpuVendor.INTEL, "cpu", true, true)).commandLine(cmdline).kernelRelease("6.1.0")
                .modules(new KernelModules(Set.of(), Set.of("vfio_pci"), Set.of(), true)).criticalDevices(critical).build();
    }

    PlannerPlugins plugins() {
        HardwareProbe probe = new HardwareProbe() {
            public String id() { return "probe"; }
            public boolean recognizes(HostFacts f) { return true; }
            public IommuRequirement requirement(HostFacts f, KernelCommandLine line) {
                return new IommuRequirement("Intel VT-d", FirmwareTable.DMAR, List.of(KernelParameter.of("intel_iommu", "on")), List.of(), List.of());
            }
        };
        BindingStrategy binding = new BindingStrategy() {
            public String id() { return "vfio-pci"; }
            public String driverName() { return "vfio-pci"; }
            public boolean isAvailable(HostFacts f) { return true; }
            public Contribution reserve(HostFacts f, Reservation r) {
                seen.add(r);
                return Contribution.of(List.of(new KernelParametersChange(List.of(KernelParameter.of("vfio-pci.ids",
                        String.join(",", r.ids().stream().map(PciId::toString).toList()))), List.of(), "ids")));
            }
        };
        BootloaderWriter writer = new BootloaderWriter() {
            public String id() { return "line-file"; }
            public boolean manages(HostFacts f) { return true; }
            public KernelCommandLine configuredCommandLine(HostFacts f) { return KernelCommandLine.parse("quiet"); }
            public Contribution change(HostFacts f, KernelParametersChange c) {
                return Contribution.of(List.of(new FileChange("etc/bootline", c.applyTo(configuredCommandLine(f)) + "\n", "boot line"),
                        new CommandChange(List.of("regenerate"), "regenerate")));
            }
        };
        // these test plugins manage every host, so the facts they are chosen on do not matter
        return PlannerPlugins.withoutProfile(null, List.of(probe), List.of(binding), List.of(writer), List.of());
    }

    final List<PciDevice> gpuGroup = List.of(
            dev("00:01.0", 0x8086, 0x1901, 0x060400, 1, false),
            dev("01:00.0", 0x10de, 0x2184, 0x030000, 1, false),
            dev("01:00.1", 0x10de, 0x1aeb, 0x040300, 1, false));

    @Test
    void reservesEveryEndpointOfTheGroupAndLeavesTheBridge() throws Exception {
        Plan p = Planner.plan(root, host(gpuGroup, Map.of(), "quiet"), plugins(), new PlanRequest(PciAddress.parse("01:00.1"), "auto", false, false));
        assertEquals(List.of("0000:01:00.0", "0000:01:00.1"), p.reserved().stream().map(ReservedDevice::address).toList());
        assertEquals("quiet intel_iommu=on vfio-pci.ids=10de:2184,10de:1aeb", p.kernelParameters());
        assertEquals(1, p.files().size());
        assertEquals("etc/bootline", p.files().get(0).path());
        assertEquals("quiet\n", p.files().get(0).before());
        assertEquals(64, p.files().get(0).beforeDigest().length());
        assertEquals(List.of("regenerate"), p.commands().get(0).argv());
        assertTrue(p.rebootRequired());
        assertTrue(UnifiedDiff.of(p.files().get(0)).contains("-quiet\n+quiet intel_iommu=on vfio-pci.ids=10de:2184,10de:1aeb\n"));
    }

    @Test
    void refusesASharedGroupUnlessAllowed() throws Exception {
        List<PciDevice> shared = new ArrayList<>(gpuGroup);
        shared.add(dev("02:00.0", 0x8086, 0x15b8, 0x020000, 1, false));
        HostFacts h = host(shared, Map.of(), "quiet");
        PlanRefusedException e = assertThrows(PlanRefusedException.class, () -> Planner.plan(root, h, plugins(),
                new PlanRequest(PciAddress.parse("01:00.0"), "auto", false, false)));
        assertEquals("SHARED_GROUP", e.code());
        assertEquals("--allow-shared-group", e.overrideFlag());
        assertTrue(e.getMessage().contains("02:00.0 class [8086:15b8] (driver drv)"), e.getMessage());
        Plan p = Planner.plan(root, h, plugins(), new PlanRequest(PciAddress.parse("01:00.0"), "auto", true, false));
        assertEquals(3, p.reserved().size());
    }

    @Test
    void refusesTheBootGpuUnlessAllowed() throws Exception {
        List<PciDevice> boot = List.of(dev("01:00.0", 0x10de, 0x2184, 0x030000, 1, true));
        PlanRefusedException e = assertThrows(PlanRefusedException.class, () -> Planner.plan(root, host(boot, Map.of(), "quiet"),
                plugins(), new PlanRequest(PciAddress.parse("01:00.0"), "auto", false, false)));
        assertEquals("BOOT_GPU", e.code());
        assertEquals("--allow-boot-gpu", e.overrideFlag());
    }

    @Test
    void neverReservesTheRootDiskControllerWhateverTheFlags() {
        List<PciDevice> withDisk = new ArrayList<>(gpuGroup);
        withDisk.add(dev("03:00.0", 0x144d, 0xa808, 0x010802, 1, false));
        HostFacts h = host(withDisk, Map.of(PciAddress.parse("03:00.0"), "controls the disk of the root filesystem"), "quiet");
        PlanRefusedException e = assertThrows(PlanRefusedException.class, () -> Planner.plan(root, h, plugins(),
                new PlanRequest(PciAddress.parse("01:00.0"), "auto", true, true)));
        assertEquals("CRITICAL_DEVICE", e.code());
        assertNull(e.overrideFlag());
    }

    @Test
    void identicalIdsOutsideTheGroupSwitchToByAddress() throws Exception {
        List<PciDevice> twins = new ArrayList<>(gpuGroup);
        twins.add(dev("05:00.0", 0x10de, 0x2184, 0x030000, 2, false));
        Plan p = Planner.plan(root, host(twins, Map.of(), "quiet"), plugins(), new PlanRequest(PciAddress.parse("01:00.0"), "auto", false, false));
        assertTrue(p.byAddress());
        assertTrue(seen.get(0).byAddress());
        assertTrue(p.findings().stream().anyMatch(f -> f.code().equals("IDENTICAL_IDS") && f.message().contains("05:00.0")));
    }

    @Test
    void unknownDeviceAndNoIommuAreRefused() {
        HostFacts h = host(gpuGroup, Map.of(), "quiet");
        assertEquals("NO_SUCH_DEVICE", assertThrows(PlanRefusedException.class, () -> Planner.plan(root, h, plugins(),
                new PlanRequest(PciAddress.parse("09:00.0"), "auto", false, false))).code());
        HostFacts off = HostFacts.builder().devices(gpuGroup.stream().map(d -> dev(d.address().toShortString(), d.id().vendor(),
                        d.id().device(), d.classCode().value(), null, false)).toList())
                .firmwareTables(Map.of(FirmwareTable.DMAR, Presence.ABSENT)).cpu(new CpuInfo(CpuVendor.INTEL, "cpu", true, true))
                .commandLine("quiet").kernelRelease("6.1.0").build();
        assertEquals("NO_IOMMU", assertThrows(PlanRefusedException.class, () -> Planner.plan(root, off, plugins(),
                new PlanRequest(PciAddress.parse("01:00.0"), "auto", false, false))).code());
    }

    final List<PciDevice> withUsbCard = new ArrayList<>(List.of(
            dev("00:01.0", 0x8086, 0x1901, 0x060400, 1, false),
            dev("01:00.0", 0x10de, 0x2184, 0x030000, 1, false),
            dev("01:00.1", 0x10de, 0x1aeb, 0x040300, 1, false),
            dev("00:1c.4", 0x8086, 0xa294, 0x060400, 13, false),
            dev("05:00.0", 0x1b21, 0x2142, 0x0c0330, 13, false)));

    @Test
    void severalDevicesAreOnePlanWithEveryGroup() throws Exception {
        Plan p = Planner.plan(root, host(withUsbCard, Map.of(), "quiet"), plugins(), new PlanRequest(List.of(
                PciAddress.parse("01:00.0"), PciAddress.parse("05:00.0")), "auto", false, false, false));
        assertEquals("0000:01:00.0", p.target());
        assertEquals(List.of("0000:01:00.0", "0000:05:00.0"), p.targets());
        assertEquals(1, p.iommuGroup());
        assertEquals(List.of(1, 13), p.iommuGroups());
        assertEquals(List.of("0000:01:00.0", "0000:01:00.1", "0000:05:00.0"), p.reserved().stream().map(ReservedDevice::address).toList(),
                "both groups, bridges aside");
        assertEquals(1, seen.size(), "one reservation for the binding, so one command line and one transaction");
        assertEquals("quiet intel_iommu=on vfio-pci.ids=10de:2184,10de:1aeb,1b21:2142", p.kernelParameters());
        assertEquals(1, p.files().size());
        assertTrue(p.card().stream().anyMatch(c -> c.address().equals("0000:05:00.0") && c.reserved()), p.card().toString());
        Path file = dir.resolve("plan.json");
        Files.writeString(file, PlanFiles.toJson(p));
        assertEquals(p, PlanFiles.read(file));
    }

    @Test
    void eachDeviceIsHeldToTheSafetyRules() {
        List<PciDevice> hosts = new ArrayList<>(withUsbCard);
        hosts.add(dev("06:00.0", 0x8086, 0x15b8, 0x020000, 13, false)); // the USB card's group also holds a NIC
        PlanRefusedException shared = assertThrows(PlanRefusedException.class, () -> Planner.plan(root,
                host(hosts, Map.of(), "quiet"), plugins(), new PlanRequest(List.of(PciAddress.parse("01:00.0"),
                        PciAddress.parse("05:00.0")), "auto", false, false, false)));
        assertEquals("SHARED_GROUP", shared.code());
        assertTrue(shared.getMessage().contains("IOMMU group of 0000:05:00.0"), shared.getMessage());
        HostFacts critical = host(withUsbCard, Map.of(PciAddress.parse("05:00.0"), "carries the default network route (enx0)"), "quiet");
        assertEquals("CRITICAL_DEVICE", assertThrows(PlanRefusedException.class, () -> Planner.plan(root, critical, plugins(),
                new PlanRequest(List.of(PciAddress.parse("01:00.0"), PciAddress.parse("05:00.0")), "auto", true, true, false))).code());
    }

    @Test
    void aDeviceNamedTwiceOrInAnotherDevicesGroupIsSaidOnce() {
        HostFacts h = host(withUsbCard, Map.of(), "quiet");
        PlanRefusedException twice = assertThrows(PlanRefusedException.class, () -> Planner.plan(root, h, plugins(),
                new PlanRequest(List.of(PciAddress.parse("01:00.0"), PciAddress.parse("0000:01:00.0")), "auto", false, false, false)));
        assertEquals("DUPLICATE_DEVICE", twice.code());
        assertEquals("--device 01:00.0 is named twice; name each device once", twice.getMessage());
        PlanRefusedException sameGroup = assertThrows(PlanRefusedException.class, () -> Planner.plan(root, h, plugins(),
                new PlanRequest(List.of(PciAddress.parse("01:00.0"), PciAddress.parse("05:00.0"), PciAddress.parse("01:00.1")),
                        "auto", false, false, false)));
        assertEquals("SAME_GROUP", sameGroup.code());
        assertTrue(sameGroup.getMessage().startsWith("--device 01:00.1 is in IOMMU group 1, as --device 01:00.0"),
                sameGroup.getMessage());
        assertTrue(sameGroup.getMessage().contains("leave out --device 01:00.1"), sameGroup.getMessage());
        assertEquals(1, sameGroup.getMessage().split("01:00.0", -1).length - 1, "the other device is named once");
    }

    @Test
    void planJsonRoundTrips() throws Exception {
        Plan p = Planner.plan(root, host(gpuGroup, Map.of(), "quiet"), plugins(), new PlanRequest(PciAddress.parse("01:00.0"), "auto", false, false));
        Path file = dir.resolve("plan.json");
        Files.writeString(file, PlanFiles.toJson(p));
        assertEquals(p, PlanFiles.read(file));
        Files.writeString(file, "{\"format\": 1, \"evil\": true}");
        assertTrue(assertThrows(java.io.IOException.class, () -> PlanFiles.read(file)).getMessage().contains("not a passthrough plan"));
    }

    @Test
    void switchingBindingsReleasesTheOtherOnesSetUpAndTheEarlyBootIsRebuiltForIt() throws Exception {
        Files.createDirectories(dir.resolve("etc/modprobe.d"));
        Files.writeString(dir.resolve("etc/modprobe.d/passthrough-pci-stub.conf"), "options pci-stub ids=10de:2184\n");
        List<Reservation> released = new ArrayList<>();
        BindingStrategy stub = new BindingStrategy() {
            public String id() { return "pci-stub"; }
            public String driverName() { return "pci-stub"; }
            public boolean isAvailable(HostFacts f) { return true; }
            public Contribution reserve(HostFacts f, Reservation r) { throw new AssertionError("not chosen"); }
            @Override
            public Contribution release(HostFacts f, Reservation r) {
                released.add(r);
                return Contribution.of(List.of(FileChange.delete("etc/modprobe.d/passthrough-pci-stub.conf", "switched"),
                        new KernelParametersChange(List.of(), List.of(KernelParameter.flag("pci-stub.ids")), "switched")));
            }
        };
        List<EarlyModulesChange> loaded = new ArrayList<>();
        EarlyModuleLoader loader = new EarlyModuleLoader() {
            public String id() { return "initramfs"; }
            public boolean manages(HostFacts f) { return true; }
            public Contribution load(HostFacts f, EarlyModulesChange c) {
                loaded.add(c);
                return Contribution.of(List.of(new CommandChange(List.of("rebuild-initramfs"), "rebuild")));
            }
        };
        PlannerPlugins base = plugins();
        PlannerPlugins both = PlannerPlugins.withoutProfile(null, base.probes(), List.of(base.bindings().get(0), stub),
                List.of(base.bootloader().chosen()), List.of(loader));
        Plan p = Planner.plan(root, host(gpuGroup, Map.of(), "quiet intel_iommu=on pci-stub.ids=10de:2184,10de:1aeb"), both,
                new PlanRequest(PciAddress.parse("01:00.0"), "vfio-pci", false, false));
        assertEquals(1, released.size());
        // the writer's configured line is "quiet": the release's removal and the new ids meet in one edit, and the IOMMU
        // parameter is judged on that configured line too (the running line's intel_iommu=on is not in it)
        assertEquals("quiet intel_iommu=on vfio-pci.ids=10de:2184,10de:1aeb", p.kernelParameters());
        PlannedFile deleted = p.files().stream().filter(f -> f.path().endsWith("pci-stub.conf")).findFirst().orElseThrow();
        assertNull(deleted.after());
        assertEquals("pci-stub", deleted.plugin());
        assertEquals(List.of(), loaded.get(0).modules(), "no module is new, but the initramfs carries modprobe.d");
        assertEquals(List.of("etc/modprobe.d/passthrough-pci-stub.conf"), loaded.get(0).changedFiles());
        // the initramfs is rebuilt before the bootloader's refresh, which may copy it (kernel-install, proxmox-boot-tool)
        assertEquals(List.of(List.of("rebuild-initramfs"), List.of("regenerate")), p.commands().stream().map(PlannedCommand::argv).toList());
    }

    /**
     * A loader that needs kernel parameters (dracut reads rd.driver.pre= to load vfio-pci first): they reach the
     * command line the writer is given, instead of being dropped; its files come after the writer's, its commands before
     * (the writer's refresh may copy the rebuilt initramfs).
     */
    @Test
    void anEarlyModuleLoadersKernelParametersReachTheCommandLine() throws Exception {
        EarlyModuleLoader dracutLike = new EarlyModuleLoader() {
            public String id() { return "dracut-like"; }
            public boolean manages(HostFacts f) { return true; }
            public Contribution load(HostFacts f, EarlyModulesChange c) {
                return Contribution.of(List.of(new KernelParametersChange(List.of(KernelParameter.of("rd.driver.pre",
                        "vfio-pci")), List.of(), "dracut loads vfio-pci before the native drivers"),
                        new FileChange("etc/dracut.conf.d/passthrough.conf", "force_drivers+=\" vfio-pci \"\n", "early"),
                        new CommandChange(List.of("dracut", "-f"), "rebuild")));
            }
        };
        PlannerPlugins base = plugins();
        // a module vfio-pci asks for early loading, so the loader is asked
        HostFacts f = HostFacts.builder().devices(gpuGroup).groups(List.of(new IommuGroup(1, gpuGroup.stream()
                .map(PciDevice::address).toList()))).firmwareTables(Map.of(FirmwareTable.DMAR, Presence.PRESENT))
                .cpu(new CpuInfo(CpuVendor.INTEL, "cpu", true, true)).commandLine("quiet").kernelRelease("6.1.0")
                .modules(new KernelModules(Set.of("vfio_pci"), Set.of(), Set.of(), true)).build();
        BindingStrategy early = new BindingStrategy() {
            public String id() { return "vfio-pci"; }
            public String driverName() { return "vfio-pci"; }
            public boolean isAvailable(HostFacts h) { return true; }
            public Contribution reserve(HostFacts h, Reservation r) {
                return Contribution.of(List.of(new EarlyModulesChange(List.of("vfio-pci"), "load early")));
            }
        };
        PlannerPlugins withLoader = PlannerPlugins.withoutProfile(null, base.probes(), List.of(early),
                List.of(base.bootloader().chosen()), List.of(dracutLike));
        Plan p = Planner.plan(root, f, withLoader, new PlanRequest(PciAddress.parse("01:00.0"), "vfio-pci", false, false));
        assertEquals("quiet intel_iommu=on rd.driver.pre=vfio-pci", p.kernelParameters());
        assertEquals(List.of("etc/bootline", "etc/dracut.conf.d/passthrough.conf"), p.files().stream().map(PlannedFile::path).toList());
        assertEquals(List.of(List.of("dracut", "-f"), List.of("regenerate")), p.commands().stream().map(PlannedCommand::argv).toList());
    }

    /** proxmox-boot-tool refresh asked for by the writer and by the loader runs once, last, with both reasons. */
    @Test
    void aRegeneratorAskedForTwiceRunsOnceAtItsLastPlace() {
        PlannedCommand first = new PlannedCommand(List.of("proxmox-boot-tool", "refresh"), "copy the cmdline", "kernel-cmdline");
        PlannedCommand rebuild = new PlannedCommand(List.of("update-initramfs", "-u", "-k", "all"), "rebuild", "initramfs-tools");
        PlannedCommand second = new PlannedCommand(List.of("proxmox-boot-tool", "refresh"), "copy the initramfs", "initramfs-tools");
        PlannedCommand undo1 = new PlannedCommand(List.of("grubby", "--update-kernel=ALL", "--args=a"), "g", "grubby",
                new passthrough.core.apply.UndoStep(passthrough.core.apply.UndoStep.RUN,
                        List.of("grubby", "--update-kernel=ALL", "--remove-args=a"), null));
        List<PlannedCommand> out = Planner.lastOfEachRegenerator(List.of(first, undo1, rebuild, second, undo1));
        assertEquals(List.of(undo1.argv(), rebuild.argv(), second.argv(), undo1.argv()), out.stream().map(PlannedCommand::argv).toList(),
                "a command with an undo changes state each time: kept as often as asked");
        assertEquals("copy the cmdline; and copy the initramfs", out.get(2).reason());
        assertEquals("initramfs-tools", out.get(2).plugin());
    }
}
