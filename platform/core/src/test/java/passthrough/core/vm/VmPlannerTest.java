package passthrough.core.vm;

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
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import passthrough.api.Change;
import passthrough.api.CommandChange;
import passthrough.api.CommandUndo;
import passthrough.api.CpuInfo;
import passthrough.api.CpuVendor;
import passthrough.api.FileChange;
import passthrough.api.GuestQuirk;
import passthrough.api.HostFacts;
import passthrough.api.Hypervisor;
import passthrough.api.IommuGroup;
import passthrough.api.MachineResources;
import passthrough.api.PciAddress;
import passthrough.api.PciClassCode;
import passthrough.api.PciDevice;
import passthrough.api.PciId;
import passthrough.api.QuirkResult;
import passthrough.api.VmDefinition;
import passthrough.api.VmFeature;
import passthrough.api.VmNetwork;
import passthrough.api.VmSpec;
import passthrough.core.apply.UndoStep;
import passthrough.core.host.HostRoot;
import passthrough.core.plan.PlanRefusedException;
import passthrough.core.profiles.ProfileChoice;

/** The VM planner's rules with small in-test plugins: which functions, which slots, which refusals, how quirks merge. */
class VmPlannerTest {
    static final String DESCRIPTOR = """
            {"description": "OVMF without Secure Boot", "interface-types": ["uefi"],
             "mapping": {"device": "flash", "mode": "split",
               "executable": {"filename": "/usr/share/OVMF/OVMF_CODE_4M.fd", "format": "raw"},
               "nvram-template": {"filename": "/usr/share/OVMF/OVMF_VARS_4M.fd", "format": "raw"}},
             "targets": [{"architecture": "x86_64", "machines": ["pc-i440fx-*", "pc-q35-*"]}],
             "features": ["acpi-s3", "verbose-dynamic"], "tags": []}
            """;
    static final String SB_DESCRIPTOR = DESCRIPTOR.replace("OVMF_CODE_4M.fd", "OVMF_CODE_4M.secboot.fd")
            .replace("\"acpi-s3\"", "\"secure-boot\", \"requires-smm\", \"acpi-s3\"");

    @TempDir
    Path dir;
    HostRoot root;
    VmSpec seenSpec;
    List<VmFeature> seenFeatures;
    List<String> defined = new ArrayList<>();
    Set<String> ours = new java.util.HashSet<>();
    List<String> installed = List.of("virsh");

    @BeforeEach
    void root() throws Exception {
        Files.createDirectories(dir.resolve("usr/share/qemu/firmware"));
        Files.createDirectories(dir.resolve("usr/share/OVMF"));
        Files.writeString(dir.resolve("usr/share/qemu/firmware/40-ovmf-sb.json"), SB_DESCRIPTOR);
        Files.writeString(dir.resolve("usr/share/qemu/firmware/50-ovmf.json"), DESCRIPTOR);
        for (String f : List.of("OVMF_CODE_4M.fd", "OVMF_VARS_4M.fd", "OVMF_CODE_4M.secboot.fd")) {
            Files.write(dir.resolve("usr/share/OVMF/" + f), new byte[] {1, 2, 3});
        }
        Files.createDirectories(dir.resolve("var/lib/libvirt/images"));
        Files.createDirectories(dir.resolve("sys"));
        root = HostRoot.open(dir, null);
    }

    static PciDevice dev(String addr, int vendor, int device, int cls, Integer group, String driver) {
        return new PciDevice(PciAddress.parse(addr), new PciId(vendor, device), null, new PciClassCode(cls), 0xa1, false,
                driver, null, group, "NVIDIA Corporation", "TU116", "class", List.of());
    }

    /** Seed 1's GTX 1660: four functions in group 34 behind root port 40:01.1 (group 34 too), all on vfio-pci. */
    static List<PciDevice> seed1(String driver) {
        return new ArrayList<>(List.of(
                dev("0000:40:01.1", 0x8086, 0x2030, 0x060400, 34, "pcieport"),
                dev("0000:41:00.0", 0x10de, 0x2184, 0x030000, 34, "vfio-pci"),
                dev("0000:41:00.1", 0x10de, 0x1aeb, 0x040300, 34, driver),
                dev("0000:41:00.2", 0x10de, 0x1aec, 0x0c0330, 34, "vfio-pci"),
                dev("0000:41:00.3", 0x10de, 0x1aed, 0x0c8000, 34, "vfio-pci"),
                dev("0000:00:17.0", 0x8086, 0xa382, 0x010601, 10, "ahci")));
    }

    static HostFacts facts(List<PciDevice> devices, Map<PciAddress, String> critical, long memMiB, int cpus) {
        Map<Integer, List<PciAddress>> byGroup = new TreeMap<>();
        for (PciDevice d : devices) if (d.iommuGroup() != null) byGroup.computeIfAbsent(d.iommuGroup(), k -> new ArrayList<>()).add(d.address());
        return HostFacts.builder().devices(devices)
                .groups(byGroup.entrySet().stream().map(e -> new IommuGroup(e.getKey(), e.getValue())).toList())
                .cpu(new CpuInfo(CpuVendor.INTEL, "cpu", true, true)).criticalDevices(critical).commands(Set.of("qemu-img"))
                .machine(new MachineResources(memMiB, cpus, Map.of())).build();
    }

    Hypervisor hypervisor(String id) {
        return new Hypervisor() {
            public String id() { return id; }
            public List<String> missingCommands(HostFacts f) { return installed.contains(id.equals("qemu") ? "qemu-system-x86_64" : "virsh") ? List.of() : List.of(id.equals("qemu") ? "qemu-system-x86_64" : "virsh"); }
            public List<String> definedVms(HostFacts f) { return defined; }
            public boolean definedByPassthrough(HostFacts f, String name) { return ours.contains(name); }
            public String documentPath(String name) { return "etc/passthrough/vms/" + name + ".xml"; }
            public VmDefinition define(HostFacts f, VmSpec vm, List<VmFeature> features) {
                seenSpec = vm;
                seenFeatures = features;
                String doc = "<domain>" + vm.name() + " " + features.stream().map(VmFeature::name).toList() + "</domain>\n";
                List<Change> changes = List.of(new FileChange(documentPath(vm.name()), doc, "the domain"),
                        new CommandChange(List.of("virsh", "define", "/" + documentPath(vm.name())), "define it",
                                CommandUndo.run("virsh", "undefine", "--nvram", vm.name())));
                return new VmDefinition(documentPath(vm.name()), doc, changes, List.of());
            }
            public List<Change> remove(HostFacts f, String name) {
                return List.of(FileChange.delete(documentPath(name), "gone"), new CommandChange(List.of("virsh", "undefine", name), "undefine",
                        CommandUndo.run("virsh", "define", "/" + documentPath(name))));
            }
        };
    }

    static GuestQuirk quirk(String id, VmFeature... features) {
        return new GuestQuirk() {
            public String id() { return id; }
            public QuirkResult features(HostFacts f, VmSpec vm) {
                return features.length == 0 ? QuirkResult.none() : QuirkResult.of(id + " because", features);
            }
        };
    }

    VmPlugins plugins(GuestQuirk... quirks) {
        return new VmPlugins(List.of(hypervisor("libvirt"), hypervisor("qemu")), List.of(quirks),
                new ProfileChoice(null, ProfileChoice.How.NONE, "no profile"));
    }

    static VmRequest request(String name, String... devices) {
        return new VmRequest(name, java.util.Arrays.stream(devices).map(PciAddress::parse).toList(), List.of(), null, null, null,
                List.of(), null, null, List.of(), List.of(), null, null, null, null, false, false, false);
    }

    VmPlan plan(HostFacts facts, VmPlugins plugins, VmRequest r) throws PlanRefusedException {
        return VmPlanner.plan(root, facts, plugins, r, d -> "not reserved at boot");
    }

    PlanRefusedException refused(HostFacts facts, VmPlugins plugins, VmRequest r) {
        return assertThrows(PlanRefusedException.class, () -> plan(facts, plugins, r));
    }

    @Test
    void theWholeGroupGoesInOneMultifunctionSlotKeepingFunctionNumbersBridgesExcluded() throws Exception {
        VmPlan p = plan(facts(seed1("vfio-pci"), Map.of(), 32768, 20), plugins(), request("win10", "41:00.0"));

        assertEquals(1, seenSpec.slots().size());
        assertEquals(1, seenSpec.slots().get(0).rootPort());
        assertTrue(seenSpec.slots().get(0).multifunction());
        assertEquals(List.of("0000:41:00.0/0", "0000:41:00.1/1", "0000:41:00.2/2", "0000:41:00.3/3"), seenSpec.functions().stream()
                .map(f -> f.host() + "/" + f.guestFunction()).toList());
        assertEquals(16384, p.spec().memoryMiB(), "half of 32 GiB, at most 16");
        assertEquals(8, p.spec().vcpus(), "half of 20, at most 8");
        assertEquals("/usr/share/OVMF/OVMF_CODE_4M.fd", p.spec().firmware().code(), "the descriptor without Secure Boot");
        assertEquals("usr/share/qemu/firmware/50-ovmf.json", p.spec().firmware().descriptor());
        assertEquals("libvirt", p.hypervisor());
        assertEquals(List.of("etc/passthrough/vms/win10.xml"), p.files().stream().map(f -> f.path()).toList());
        assertEquals(new UndoStep(UndoStep.RUN, List.of("virsh", "undefine", "--nvram", "win10"), null), p.commands().get(0).undo());
    }

    @Test
    void aSecondCardGetsTheNextSlotAndTheSameGroupTwiceIsSaidOnce() throws Exception {
        List<PciDevice> devs = seed1("vfio-pci");
        devs.add(dev("0000:42:00.0", 0x1b21, 0x2142, 0x0c0330, 40, "vfio-pci"));
        VmPlan p = plan(facts(devs, Map.of(), 16384, 8), plugins(),
                new VmRequest("vm", List.of(PciAddress.parse("41:00.0"), PciAddress.parse("41:00.1")), List.of(PciAddress.parse("42:00.0")),
                        null, null, null, List.of(), null, null, List.of(), List.of(), null, null, null, null, false, false, false));
        assertEquals(2, seenSpec.slots().size());
        assertEquals(List.of(PciAddress.parse("42:00.0")), seenSpec.slots().get(1).functions().stream().map(f -> f.host()).toList());
        assertTrue(!seenSpec.slots().get(1).multifunction());
        assertTrue(p.findings().stream().anyMatch(f -> f.code().equals("SAME_GROUP")), p.findings().toString());
    }

    @Test
    void aFunctionOnAHostDriverThatTheNextBootDoesNotReserveIsRefusedAsHalfAGroup() {
        PlanRefusedException e = refused(facts(seed1("snd_hda_intel"), Map.of(), 16384, 8), plugins(), request("vm", "41:00.0"));
        assertEquals("GROUP_HALF_RESERVED", e.code());
        assertTrue(e.getMessage().contains("0000:41:00.1 (snd_hda_intel)") && e.getMessage().contains("passthrough apply --device"),
                e.getMessage());
    }

    @Test
    void hostDriversAreAcceptedWhenTheNextBootReservesThemWithAWarningToRebootFirst() throws Exception {
        List<PciDevice> devs = new ArrayList<>();
        for (PciDevice d : seed1("snd_hda_intel")) {
            devs.add(d.iommuGroup() == 34 && !d.classCode().isBridge() ? dev(d.address().toString(), d.id().vendor(),
                    d.id().device(), d.classCode().value(), 34, "nouveau") : d);
        }
        VmPlan p = VmPlanner.plan(root, facts(devs, Map.of(), 16384, 8), plugins(), request("vm", "41:00.0"), d -> null);
        assertTrue(p.findings().stream().anyMatch(f -> f.code().equals("RESERVED_AFTER_REBOOT") && f.severity().equals("WARNING")),
                p.findings().toString());
        PlanRefusedException e = refused(facts(devs, Map.of(), 16384, 8), plugins(), request("vm", "41:00.0"));
        assertEquals("NOT_RESERVED", e.code(), "nothing of the group reserved: not 'half'");
    }

    @Test
    void aGroupHoldingTheRootDiskControllerIsRefused() {
        List<PciDevice> devs = seed1("vfio-pci");
        devs.add(dev("0000:41:00.4", 0x8086, 0xa382, 0x010601, 34, "vfio-pci"));
        PlanRefusedException e = refused(facts(devs, Map.of(PciAddress.parse("41:00.4"), "the root filesystem's disk"), 16384, 8),
                plugins(), request("vm", "41:00.0"));
        assertEquals("CRITICAL_DEVICE", e.code());
    }

    @Test
    void quirksThatAgreeAreMergedAndQuirksThatDisagreeAreRefusedNamingBoth() throws Exception {
        VmPlan p = plan(facts(seed1("vfio-pci"), Map.of(), 16384, 8),
                plugins(quirk("nvidia", new VmFeature.HideKvm(), new VmFeature.HypervVendorId("passthrough")),
                        quirk("vendor", new VmFeature.HypervVendorId("passthrough")), quirk("idle")),
                request("vm", "41:00.0"));
        assertEquals(List.of("hide-kvm", "hyperv-vendor-id"), seenFeatures.stream().map(VmFeature::name).toList());
        assertEquals(List.of("nvidia", "vendor"), p.features().get(1).quirks());
        assertEquals(List.of("nvidia", "vendor"), p.quirks().stream().map(VmPlan.AppliedQuirk::id).toList(), "idle adds nothing");

        PlanRefusedException e = refused(facts(seed1("vfio-pci"), Map.of(), 16384, 8),
                plugins(quirk("nvidia", new VmFeature.HypervVendorId("passthrough")), quirk("vendor", new VmFeature.HypervVendorId("other"))),
                request("vm", "41:00.0"));
        assertEquals("CONFLICTING_QUIRKS", e.code());
        assertTrue(e.getMessage().contains("nvidia and vendor") && e.getMessage().contains("--no-quirk"), e.getMessage());
    }

    @Test
    void quirksAreSwitchedOffOrChosenByIdAndAnUnknownIdIsRefused() throws Exception {
        VmPlugins two = plugins(quirk("nvidia", new VmFeature.HideKvm()), quirk("spice-mouse", new VmFeature.SpiceServerMouse()));
        VmRequest off = new VmRequest("vm", List.of(PciAddress.parse("41:00.0")), List.of(), null, null, null, List.of(), null, null,
                List.of(), List.of("nvidia"), null, null, null, null, false, false, false);
        plan(facts(seed1("vfio-pci"), Map.of(), 16384, 8), two, off);
        assertEquals(List.of("spice-server-mouse"), seenFeatures.stream().map(VmFeature::name).toList());
        VmRequest only = new VmRequest("vm", List.of(PciAddress.parse("41:00.0")), List.of(), null, null, null, List.of(), null, null,
                List.of("nvidia"), List.of(), null, null, null, null, false, false, false);
        plan(facts(seed1("vfio-pci"), Map.of(), 16384, 8), two, only);
        assertEquals(List.of("hide-kvm"), seenFeatures.stream().map(VmFeature::name).toList());
        VmRequest unknown = new VmRequest("vm", List.of(PciAddress.parse("41:00.0")), List.of(), null, null, null, List.of(), null,
                null, List.of(), List.of("nvidai"), null, null, null, null, false, false, false);
        assertEquals("UNKNOWN_QUIRK", refused(facts(seed1("vfio-pci"), Map.of(), 16384, 8), two, unknown).code());
    }

    @Test
    void memoryAboveTheHostsIsRefused() {
        VmRequest r = new VmRequest("vm", List.of(PciAddress.parse("41:00.0")), List.of(), null, 65536L, null, List.of(), null, null,
                List.of(), List.of(), null, null, null, null, false, false, false);
        PlanRefusedException e = refused(facts(seed1("vfio-pci"), Map.of(), 32768, 8), plugins(), r);
        assertEquals("MEMORY_TOO_LARGE", e.code());
        assertTrue(e.getMessage().contains("32768 MiB"), e.getMessage());
    }

    @Test
    void aNameTakenIsRefusedUnlessPassthroughDefinedItAndReplaceIsGiven() throws Exception {
        HostFacts f = facts(seed1("vfio-pci"), Map.of(), 16384, 8);
        defined = List.of("win10");
        assertEquals("VM_EXISTS", refused(f, plugins(), request("win10", "41:00.0")).code());
        VmRequest replace = new VmRequest("win10", List.of(PciAddress.parse("41:00.0")), List.of(), null, null, null, List.of(), null,
                null, List.of(), List.of(), null, null, null, null, false, false, true);
        PlanRefusedException e = refused(f, plugins(), replace);
        assertEquals("VM_NOT_OURS", e.code());
        assertTrue(e.getMessage().contains("virsh dumpxml win10 > /etc/passthrough/vms/win10.xml"), e.getMessage());
        ours.add("win10");
        VmPlan p = plan(f, plugins(), replace);
        assertTrue(p.findings().stream().anyMatch(x -> x.code().equals("REPLACES")));
        // the same document again: nothing to do, and no virsh define whose rollback would undefine the VM
        Files.createDirectories(dir.resolve("etc/passthrough/vms"));
        Files.writeString(dir.resolve("etc/passthrough/vms/win10.xml"), p.document());
        root = HostRoot.open(dir, null); // a HostRoot remembers the directories it resolved: a new one sees the file
        VmPlan again = plan(f, plugins(), replace);
        assertTrue(again.changesNothing(), again.toString());
    }

    @Test
    void withoutAFittingFirmwareTheRefusalNamesEachDescriptorAndThePackage() throws Exception {
        Files.delete(dir.resolve("usr/share/OVMF/OVMF_VARS_4M.fd"));
        PlanRefusedException e = refused(facts(seed1("vfio-pci"), Map.of(), 16384, 8), plugins(), request("vm", "41:00.0"));
        assertEquals("NO_FIRMWARE", e.code());
        assertTrue(e.getMessage().contains("40-ovmf-sb.json: enforces Secure Boot (not asked for)"), e.getMessage());
        assertTrue(e.getMessage().contains("50-ovmf.json: its variables template /usr/share/OVMF/OVMF_VARS_4M.fd does not exist"), e.getMessage());
        assertTrue(e.getMessage().contains("ovmf on Debian/Ubuntu, edk2-ovmf on Fedora and Arch"), e.getMessage());
    }

    @Test
    void anOverrideInEtcHidesTheShippedDescriptor() throws Exception {
        Files.createDirectories(dir.resolve("etc/qemu/firmware"));
        Files.writeString(dir.resolve("etc/qemu/firmware/50-ovmf.json"), "");
        FirmwareDescriptors.Choice c = FirmwareDescriptors.choose(root, false);
        assertTrue(c.firmware().isEmpty(), c.toString());
        assertEquals("usr/share/qemu/firmware/40-ovmf-sb.json", FirmwareDescriptors.choose(root, true).firmware().orElseThrow().descriptor());
    }

    @Test
    void disksThatDoNotExistNeedASizeAndACreatedDiskIsKeptByRollback() throws Exception {
        HostFacts f = facts(seed1("vfio-pci"), Map.of(), 16384, 8);
        VmRequest missing = new VmRequest("vm", List.of(PciAddress.parse("41:00.0")), List.of(), null, null, null,
                List.of(VmOptionParser.disk("/var/lib/libvirt/images/vm.qcow2")), null, null, List.of(), List.of(), null, null, null,
                null, false, false, false);
        assertEquals("DISK_NOT_FOUND", refused(f, plugins(), missing).code());
        VmRequest sized = new VmRequest("vm", List.of(PciAddress.parse("41:00.0")), List.of(), null, null, null,
                List.of(VmOptionParser.disk("/var/lib/libvirt/images/vm.qcow2,size=64G")), null, null, List.of(), List.of(), null,
                null, null, null, false, false, false);
        VmPlan p = plan(f, plugins(), sized);
        assertEquals(List.of("qemu-img", "create", "-f", "qcow2", "/var/lib/libvirt/images/vm.qcow2", String.valueOf(64L << 30)),
                p.commands().get(0).argv());
        assertEquals(UndoStep.KEEP, p.commands().get(0).undo().kind());
        HostFacts noQemuImg = HostFacts.builder().devices(f.devices()).groups(f.groups()).cpu(f.cpu())
                .machine(f.machine()).build();
        PlanRefusedException missingTool = refused(noQemuImg, plugins(), sized);
        assertEquals("QEMU_IMG_MISSING", missingTool.code());
        assertTrue(missingTool.getMessage().contains("qemu-utils"), missingTool.getMessage());
        VmRequest nodir = new VmRequest("vm", List.of(PciAddress.parse("41:00.0")), List.of(), null, null, null,
                List.of(VmOptionParser.disk("/srv/vms/vm.qcow2,size=64G")), null, null, List.of(), List.of(), null, null, null, null,
                false, false, false);
        assertEquals("DISK_DIRECTORY_MISSING", refused(f, plugins(), nodir).code());
        VmRequest iso = new VmRequest("vm", List.of(PciAddress.parse("41:00.0")), List.of(), null, null, null, List.of(),
                "/srv/win11.iso", null, List.of(), List.of(), null, null, null, null, false, false, false);
        assertEquals("ISO_NOT_FOUND", refused(f, plugins(), iso).code());
        VmRequest bridge = new VmRequest("vm", List.of(PciAddress.parse("41:00.0")), List.of(), null, null, null, List.of(), null,
                new VmNetwork(VmNetwork.Kind.BRIDGE, "br0"), List.of(), List.of(), null, null, null, null, false, false, false);
        assertEquals("BRIDGE_NOT_FOUND", refused(f, plugins(), bridge).code());
    }

    @Test
    void theHypervisorIsTheFirstInstalledOneAndAMissingOneNamesWhatToInstall() throws Exception {
        HostFacts f = facts(seed1("vfio-pci"), Map.of(), 16384, 8);
        installed = List.of("qemu-system-x86_64");
        VmPlan p = plan(f, plugins(), request("vm", "41:00.0"));
        assertEquals("qemu", p.hypervisor());
        assertTrue(p.hypervisorWhy().contains("libvirt is not: virsh missing"), p.hypervisorWhy());
        VmRequest asked = new VmRequest("vm", List.of(PciAddress.parse("41:00.0")), List.of(), "libvirt", null, null, List.of(), null,
                null, List.of(), List.of(), null, null, null, null, false, false, false);
        PlanRefusedException e = refused(f, plugins(), asked);
        assertEquals("HYPERVISOR_NOT_INSTALLED", e.code());
        assertTrue(e.getMessage().contains("libvirt-clients"), e.getMessage());
        installed = List.of();
        assertEquals("NO_HYPERVISOR", refused(f, plugins(), request("vm", "41:00.0")).code());
    }

    @Test
    void aCardFunctionInAReservedGroupOfItsOwnComesAlongAndAnUnreservedOneIsNamed() throws Exception {
        List<PciDevice> devs = new ArrayList<>(List.of(
                dev("0000:0b:00.0", 0x1002, 0x73bf, 0x030000, 15, "vfio-pci"),
                dev("0000:0b:00.1", 0x1002, 0xab28, 0x040300, 16, "vfio-pci")));
        VmPlan p = plan(facts(devs, Map.of(), 16384, 8), plugins(), request("vm", "0b:00.0"));
        assertEquals(2, seenSpec.functions().size());
        assertTrue(p.findings().stream().anyMatch(f -> f.code().equals("CARD_FUNCTION_ADDED")));
        devs.set(1, dev("0000:0b:00.1", 0x1002, 0xab28, 0x040300, 16, "snd_hda_intel"));
        p = plan(facts(devs, Map.of(), 16384, 8), plugins(), request("vm", "0b:00.0"));
        assertEquals(1, seenSpec.functions().size());
        assertTrue(p.findings().stream().anyMatch(f -> f.code().equals("CARD_FUNCTION_LEFT") && f.fix().contains("--with-siblings")));
    }

    @Test
    void badNamesAndDevicesAreRefused() {
        HostFacts f = facts(seed1("vfio-pci"), Map.of(), 16384, 8);
        assertEquals("INVALID_VM_NAME", refused(f, plugins(), request("../etc/x", "41:00.0")).code());
        assertEquals("INVALID_VM_NAME", refused(f, plugins(), request("a b", "41:00.0")).code());
        assertEquals("NO_SUCH_DEVICE", refused(f, plugins(), request("vm", "99:00.0")).code());
        assertEquals("DEVICE_IS_BRIDGE", refused(f, plugins(), request("vm", "40:01.1")).code());
        assertEquals("NO_DEVICE", refused(f, plugins(), request("vm")).code());
    }

    @Test
    void removalUndoesOnlyWhatPassthroughDefined() throws Exception {
        HostFacts f = facts(seed1("vfio-pci"), Map.of(), 16384, 8);
        assertEquals("NO_SUCH_VM", assertThrows(PlanRefusedException.class, () -> VmPlanner.planRemoval(root, f, plugins(), "x")).code());
        defined = List.of("x");
        assertEquals("VM_NOT_OURS", assertThrows(PlanRefusedException.class, () -> VmPlanner.planRemoval(root, f, plugins(), "x")).code());
        ours.add("x");
        VmPlan p = VmPlanner.planRemoval(root, f, plugins(), "x");
        assertEquals(List.of("virsh", "undefine", "x"), p.commands().get(0).argv());
        assertNull(p.spec());
    }
}
