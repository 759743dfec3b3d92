package passthrough.plugin.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import passthrough.api.Change;
import passthrough.api.CommandChange;
import passthrough.api.CommandUndo;
import passthrough.api.FileChange;
import passthrough.api.Finding;
import passthrough.api.HostFacts;
import passthrough.api.Severity;
import passthrough.api.VmDefinition;
import passthrough.api.VmFeature;
import passthrough.api.VmNetwork;
import passthrough.api.VmSpec;

class QemuHypervisorTest {

    private final QemuHypervisor qemu = new QemuHypervisor();

    private static HostFacts withFiles(Map<String, String> files) {
        return HostFacts.builder().commands(Set.of("qemu-system-x86_64", "qemu-img")).files(files).build();
    }

    private static List<String> codes(VmDefinition d) {
        return d.findings().stream().map(Finding::code).toList();
    }

    @Test
    void missingCommandsNamesQemuAndTheJavadocItsPackages() {
        assertEquals(List.of("qemu-system-x86_64"), qemu.missingCommands(HostFacts.builder().build()));
        assertEquals(List.of(), qemu.missingCommands(Fixtures.facts()));
        assertTrue(qemu.hostCommands().contains("qemu-system-x86_64"));
        assertTrue(QemuHypervisor.QEMU_PACKAGES.contains("qemu-system-x86") && QemuHypervisor.QEMU_PACKAGES.contains("qemu-kvm")
                && QemuHypervisor.QEMU_PACKAGES.contains("qemu-full"));
    }

    @Test
    void documentPathAndTheFilesItReads() {
        assertEquals("etc/passthrough/vms/d2l.sh", qemu.documentPath("d2l"));
        assertTrue(qemu.hostFiles().contains("etc/passthrough/vms/*.sh"));
        for (String bad : List.of("a b", "../x", "-x", ".x", "a/b", "x;rm", "")) {
            assertThrows(IllegalArgumentException.class, () -> qemu.documentPath(bad), bad);
        }
    }

    @Test
    void definedVmsAreTheScriptsItWroteOnly() {
        String ours = Fixtures.seed2().render();
        HostFacts facts = withFiles(Map.of(
                "etc/passthrough/vms/d2l.sh", ours,
                "etc/passthrough/vms/mine.sh", "#!/bin/sh\necho a user's own script\n",
                // a script of ours copied under another name says another VM: not counted as that name
                "etc/passthrough/vms/copy.sh", ours,
                "etc/passthrough/vms/win10.xml", "<domain/>"));
        assertEquals(List.of("d2l"), qemu.definedVms(facts));
        assertTrue(qemu.definedByPassthrough(facts, "d2l"));
        assertFalse(qemu.definedByPassthrough(facts, "mine"));
        assertFalse(qemu.definedByPassthrough(facts, "win10"));
    }

    @Test
    void defineANewVmInstallsTheExecutableScriptTheVarsAndTheDisk() {
        VmDefinition d = qemu.define(Fixtures.facts(), Fixtures.seed2().vm(), Fixtures.seed2().features());
        assertEquals("etc/passthrough/vms/d2l.sh", d.path());
        List<Change> c = d.changes();
        FileChange script = (FileChange) c.get(0);
        assertEquals(d.path(), script.path());
        assertEquals(d.document(), script.newContent());
        assertTrue(script.executable());

        CommandChange mkdir = (CommandChange) c.get(1);
        assertEquals(List.of("install", "-d", "-m", "0700", "/var/lib/passthrough/vms/d2l"), mkdir.argv());
        assertEquals(new CommandUndo.Run(List.of("rmdir", "--ignore-fail-on-non-empty", "/var/lib/passthrough/vms/d2l")),
                mkdir.undo());
        CommandChange copy = (CommandChange) c.get(2);
        assertEquals(List.of("sh", "-c", "test -e \"$2\" || cp -- \"$1\" \"$2\"", "sh", "/usr/share/OVMF/OVMF_VARS.fd",
                "/var/lib/passthrough/vms/d2l/OVMF_VARS.fd"), copy.argv());
        assertTrue(copy.undo() instanceof CommandUndo.Run r && r.argv().get(2).contains("cmp -s"),
                "rollback removes the copy only while it is the template's bytes");

        assertEquals(3, c.size(), "the disk to create is the core's qemu-img command: " + c);
        assertTrue(codes(d).containsAll(List.of("QEMU_FIRMWARE", "QEMU_START", "QEMU_BRIDGE_NOT_ALLOWED")), codes(d).toString());
    }

    @Test
    void theVarsCommandsReallyKeepAnExistingCopyAndRemoveOnlyAnUntouchedOne(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        Tools.require("sh", "dash");
        java.nio.file.Path template = java.nio.file.Files.writeString(tmp.resolve("template"), "pristine");
        java.nio.file.Path vars = tmp.resolve("vars");
        VmDefinition d = qemu.define(Fixtures.facts(), Fixtures.seed2().vm(), List.of());
        CommandChange copy = (CommandChange) d.changes().get(2);
        List<String> doIt = new ArrayList<>(copy.argv().subList(0, 4));
        doIt.addAll(List.of(template.toString(), vars.toString()));
        List<String> undo = new ArrayList<>(((CommandUndo.Run) copy.undo()).argv().subList(0, 4));
        undo.addAll(List.of(template.toString(), vars.toString()));

        assertEquals(0, Tools.run(doIt).exit());
        assertEquals("pristine", java.nio.file.Files.readString(vars));
        assertEquals(0, Tools.run(undo).exit());
        assertFalse(java.nio.file.Files.exists(vars), "an untouched copy is removed");

        java.nio.file.Files.writeString(vars, "the guest's boot entries");
        assertEquals(0, Tools.run(doIt).exit());
        assertEquals("the guest's boot entries", java.nio.file.Files.readString(vars), "an existing copy is kept");
        assertEquals(0, Tools.run(undo).exit());
        assertEquals("the guest's boot entries", java.nio.file.Files.readString(vars), "rollback never removes guest data");
    }

    @Test
    void replacingItsOwnScriptKeepsTheVarsAndThePort() {
        HostFacts first = withFiles(Map.of("etc/passthrough/vms/other.sh", Fixtures.seed1().render()));
        VmDefinition created = qemu.define(first, Fixtures.seed2().vm(), List.of());
        assertTrue(created.document().contains("-spice port=5931,"), "5930 is other's");
        HostFacts later = withFiles(Map.of("etc/passthrough/vms/d2l.sh", created.document()));
        VmDefinition replaced = qemu.define(later, Fixtures.seed2().vm(), List.of());
        assertTrue(replaced.document().contains("-spice port=5931,"), "a VM keeps its port");
        assertEquals(List.of(FileChange.class),
                replaced.changes().stream().map(Object::getClass).toList(), "only the script (the disk is the core's)");
    }

    @Test
    void aForeignFileAtThePathIsNotReplaced() {
        HostFacts facts = withFiles(Map.of("etc/passthrough/vms/d2l.sh", "#!/bin/sh\nexec my-own-qemu\n"));
        VmDefinition d = qemu.define(facts, Fixtures.seed2().vm(), List.of());
        assertEquals(List.of(), d.changes());
        Finding f = d.findings().stream().filter(x -> x.severity() == Severity.ERROR).findFirst().orElseThrow();
        assertEquals("QEMU_SCRIPT_NOT_OURS", f.code());
        assertTrue(f.message().contains("/etc/passthrough/vms/d2l.sh") && !f.fix().isEmpty(), f.toString());
    }

    @Test
    void biosNeedsNoFirmwareFilesNorVariables() {
        passthrough.api.VmSpec v = Fixtures.seed2().vm();
        passthrough.api.VmSpec bios = new passthrough.api.VmSpec(v.name(), v.memoryMiB(), v.vcpus(), v.virtType(), null, v.disks(),
                v.cdrom(), v.network(), v.graphics(), v.slots(), v.directBoot(), v.serialLog());
        VmDefinition d = qemu.define(Fixtures.facts(), bios, List.of());
        assertEquals(1, d.changes().size(), "the script only: " + d.changes());
        assertTrue(!d.document().contains("pflash") && d.document().contains("vars=\n"), d.document());
    }

    @Test
    void removeDeletesTheScriptAndSaysWhereTheVarsAreKept() {
        List<Change> c = qemu.remove(withFiles(Map.of("etc/passthrough/vms/d2l.sh", Fixtures.seed2().render())), "d2l");
        assertEquals(1, c.size());
        FileChange f = (FileChange) c.get(0);
        assertEquals("etc/passthrough/vms/d2l.sh", f.path());
        assertEquals(null, f.newContent());
        assertTrue(f.reason().contains("/var/lib/passthrough/vms/d2l/ are kept"), f.reason());
    }

    @Test
    void theBridgeMustBeAllowedInBridgeConf() {
        assertEquals("QEMU_BRIDGE", QemuHypervisor.bridgeFinding(withFiles(Map.of("etc/qemu/bridge.conf", "allow br0\n")), "br0").code());
        assertEquals("QEMU_BRIDGE", QemuHypervisor.bridgeFinding(withFiles(Map.of("etc/qemu/bridge.conf", "allow all\n")), "br0").code());
        Finding other = QemuHypervisor.bridgeFinding(withFiles(Map.of("etc/qemu/bridge.conf", "allow virbr0\n")), "br0");
        assertEquals(Severity.WARNING, other.severity());
        assertEquals("add the line: allow br0 to /etc/qemu/bridge.conf", other.fix());
        assertEquals(Severity.WARNING, QemuHypervisor.bridgeFinding(withFiles(Map.of()), "br0").severity());
        assertTrue(QemuHypervisor.bridgeFinding(withFiles(Map.of("etc/qemu/bridge.conf", "include /etc/qemu/x.conf\n")), "br0")
                .message().contains("includes"));
        VmSpec bad = new VmSpec("x", 1024, 1, Fixtures.seed2().vm().virtType(), Fixtures.DEBIAN_4M, List.of(), null,
                new VmNetwork(VmNetwork.Kind.BRIDGE, "br0;reboot"), VmSpec.Graphics.NONE, List.of(), null, null);
        assertThrows(IllegalArgumentException.class, () -> qemu.define(Fixtures.facts(), bad, List.of()));
    }

    @Test
    void everyKindOfFeatureIsRendered() {
        // every permitted kind of the sealed interface, so a new kind fails here until the plugin renders it
        List<VmFeature> all = List.of(new VmFeature.HideKvm(), new VmFeature.HypervVendorId("1234567890ab"),
                new VmFeature.KvmIoapic(), new VmFeature.SpiceServerMouse(), new VmFeature.HostPhysBits(),
                new VmFeature.PciMmio64Window(131072), new VmFeature.RomBarOff(Fixtures.pci("0000:65:00.1")));
        Set<Class<?>> kinds = new HashSet<>();
        collect(VmFeature.class, kinds);
        assertEquals(kinds, new HashSet<>(all.stream().map(Object::getClass).toList()));
        String s = qemu.define(Fixtures.facts(), Fixtures.seed1().vm(), all).document();
        assertTrue(s.contains("  -cpu host,kvm=off,hv_vendor_id=1234567890ab,host-phys-bits=on\n"), s);
        assertTrue(s.contains("  -machine q35,accel=kvm,kernel-irqchip=on\n"), s);
        assertTrue(s.contains("  -spice port=5930,addr=127.0.0.1,disable-ticketing=on,agent-mouse=off\n"), s);
        assertTrue(s.contains("  -fw_cfg name=opt/ovmf/X-PciMmio64Mb,string=131072\n"), s);
        assertTrue(s.contains("  -device vfio-pci,host=0000:65:00.1,id=hostdev1-1,bus=rp1,addr=0x0.0x1,rombar=0\n"), s);
        assertFalse(s.contains("host=0000:65:00.0,id=hostdev1-0,bus=rp1,addr=0x0,multifunction=on,rombar=0"), s);
    }

    private static void collect(Class<?> c, Set<Class<?>> out) {
        if (c.isRecord()) out.add(c);
        Class<?>[] sub = c.getPermittedSubclasses();
        if (sub != null) for (Class<?> s : sub) collect(s, out);
    }

    @Test
    void underTcgTheKvmOnlyFeaturesStillStartAndSaySo() {
        VmDefinition d = qemu.define(Fixtures.facts(), Fixtures.tcgDirectBoot().vm(),
                List.of(new VmFeature.KvmIoapic(), new VmFeature.HostPhysBits(), new VmFeature.SpiceServerMouse()));
        assertTrue(d.document().contains("  -machine q35,accel=tcg,kernel-irqchip=on\n"));
        assertTrue(d.document().contains("  -cpu max,host-phys-bits=on\n"));
        assertTrue(codes(d).containsAll(List.of("QEMU_IRQCHIP_TCG", "QEMU_HOST_PHYS_BITS_TCG", "QEMU_NO_SPICE_MOUSE")), codes(d).toString());
    }

    @Test
    void aRomBarOffForADeviceOutsideTheVmIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> qemu.define(Fixtures.facts(),
                Fixtures.seed2().vm(), List.of(new VmFeature.RomBarOff(Fixtures.pci("0000:01:00.0")))));
        assertTrue(e.getMessage().contains("0000:01:00.0"), e.getMessage());
    }

    @Test
    void secureBootGetsSmmAndTheSecurePflash() {
        VmSpec v = Fixtures.tcgDirectBoot().vm();
        VmSpec sb = new VmSpec(v.name(), v.memoryMiB(), v.vcpus(), v.virtType(), new passthrough.api.Firmware(
                "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd", "/usr/share/OVMF/OVMF_VARS_4M.ms.fd", "raw", true, null),
                v.disks(), v.cdrom(), v.network(), v.graphics(), v.slots(), v.directBoot(), v.serialLog());
        String s = qemu.define(Fixtures.facts(), sb, List.of()).document();
        assertTrue(s.contains("  -machine q35,accel=tcg,smm=on\n"), s);
        assertTrue(s.contains("  -global driver=cfi.pflash01,property=secure,value=on\n"), s);
    }

    @Test
    void controlCharactersInAValueAreRefused() {
        VmSpec v = Fixtures.tcgDirectBoot().vm();
        VmSpec bad = new VmSpec(v.name(), v.memoryMiB(), v.vcpus(), v.virtType(), v.firmware(), v.disks(), v.cdrom(),
                v.network(), v.graphics(), v.slots(), new passthrough.api.DirectBoot("/boot/vmlinuz", null, "quiet\nreboot"),
                v.serialLog());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> qemu.define(Fixtures.facts(), bad, List.of()));
        assertTrue(e.getMessage().contains("-append"), e.getMessage());
    }

    @Test
    void theMacFollowsTheName() {
        assertEquals(QemuHypervisor.mac("d2l"), QemuHypervisor.mac("d2l"));
        assertFalse(QemuHypervisor.mac("d2l").equals(QemuHypervisor.mac("win10")));
        assertTrue(QemuHypervisor.mac("d2l").matches("52:54:00(:[0-9a-f]{2}){3}"));
    }
}
