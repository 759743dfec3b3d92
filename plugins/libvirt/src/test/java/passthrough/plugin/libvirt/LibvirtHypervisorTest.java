package passthrough.plugin.libvirt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import passthrough.api.Change;
import passthrough.api.CommandChange;
import passthrough.api.CommandUndo;
import passthrough.api.DirectBoot;
import passthrough.api.FileChange;
import passthrough.api.GuestSlot;
import passthrough.api.HostFacts;
import passthrough.api.PassedFunction;
import passthrough.api.PluginSettings;
import passthrough.api.Severity;
import passthrough.api.VirtType;
import passthrough.api.VmDefinition;
import passthrough.api.VmDisk;
import passthrough.api.VmFeature;
import passthrough.api.VmNetwork;
import passthrough.api.VmSpec;

class LibvirtHypervisorTest {

    private final LibvirtHypervisor libvirt = new LibvirtHypervisor();

    static HostFacts host(Map<String, String> files, String... commands) {
        return HostFacts.builder().files(files).commands(Set.of(commands)).build();
    }

    static String libvirtConfig(String name, String uuid) {
        return "<!--\nWARNING: THIS IS AN AUTO-GENERATED FILE. CHANGES TO IT ARE LIKELY TO BE\nOVERWRITTEN AND LOST. Changes "
                + "to this xml configuration should be made using:\n  virsh edit " + name + "\n-->\n\n<domain type='kvm'>\n"
                + "  <name>" + name + "</name>\n  <uuid>" + uuid + "</uuid>\n  <memory unit='KiB'>1048576</memory>\n</domain>\n";
    }

    @Test
    void virshIsWhatItNeeds() {
        assertEquals(List.of("virsh"), libvirt.missingCommands(host(Map.of())));
        assertEquals(List.of(), libvirt.missingCommands(host(Map.of(), "virsh")));
        assertTrue(libvirt.hostCommands().contains("virsh"));
        assertTrue(libvirt.hostFiles().containsAll(List.of("etc/libvirt/qemu/*.xml", "etc/passthrough/vms/*.xml")));
    }

    @Test
    void definedVmsAreTheNamesInLibvirtsConfigurations() {
        Map<String, String> files = new HashMap<>();
        files.put("etc/libvirt/qemu/win10.xml", libvirtConfig("win10", "1079374d-50a4-366c-adba-a1cb82c5093e"));
        // the name in the file wins over the file name, entities decoded
        files.put("etc/libvirt/qemu/odd.xml", libvirtConfig("a&amp;b", "00000000-0000-0000-0000-000000000001"));
        // a file libvirt would not have written: counted by its file name, never dropped silently
        files.put("etc/libvirt/qemu/broken.xml", "not xml at all");
        // networks and other directories are not domains
        files.put("etc/libvirt/qemu/networks/default.xml", "<network><name>default</name></network>");
        files.put("etc/passthrough/vms/win10.xml", "<domain/>");
        assertEquals(List.of("a&b", "broken", "win10"), libvirt.definedVms(host(files)));
        assertTrue(libvirt.definedByPassthrough(host(files), "win10"));
        assertFalse(libvirt.definedByPassthrough(host(files), "broken"));
    }

    @Test
    void theDocumentLivesUnderEtcPassthroughVms() {
        assertEquals("etc/passthrough/vms/win10.xml", libvirt.documentPath("win10"));
        for (String bad : List.of("", "a b", "../x", "a/b", "-x", ".hidden", "é")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> libvirt.documentPath(bad), bad);
            assertTrue(e.getMessage().contains("letters, digits"), e.getMessage());
        }
    }

    @Test
    void aNewDomainIsUndefinedByRollback() {
        Fixtures.Golden g = Fixtures.largeBar();
        VmDefinition d = g.hypervisor().define(host(Map.of(), "virsh", "qemu-img"), g.vm(), g.features());
        assertEquals("etc/passthrough/vms/tesla.xml", d.path());
        List<Change> c = d.changes();
        assertEquals(2, c.size(), "the document and virsh define; the disk to create is the core's (qemu-img): " + c);
        FileChange doc = assertInstanceOf(FileChange.class, c.get(0));
        assertEquals(d.path(), doc.path());
        assertEquals(d.document(), doc.newContent());
        CommandChange define = assertInstanceOf(CommandChange.class, c.get(1));
        assertEquals(List.of("virsh", "-c", "qemu:///system", "define", "/etc/passthrough/vms/tesla.xml"), define.argv());
        assertEquals(CommandUndo.run("virsh", "-c", "qemu:///system", "undefine", "--nvram", "tesla"), define.undo());
        String findings = d.findings().toString();
        assertTrue(findings.contains("virsh -c qemu:///system start tesla"), findings);
        assertTrue(d.findings().stream().noneMatch(f -> f.severity() == Severity.ERROR), findings);
    }

    @Test
    void replacingADomainPassthroughDefinedRedefinesTheRestoredDocumentOnRollback() {
        Fixtures.Golden g = Fixtures.seed1();
        String uuid = "6a0e7e1c-0000-4000-8000-0000000000aa";
        HostFacts facts = host(Map.of("etc/libvirt/qemu/win10.xml", libvirtConfig("win10", uuid),
                "etc/passthrough/vms/win10.xml", "<domain/>"), "virsh");
        VmDefinition d = g.hypervisor().define(facts, g.vm(), g.features());
        CommandChange define = (CommandChange) d.changes().get(d.changes().size() - 1);
        assertEquals(CommandUndo.rerun(), define.undo());
        // libvirt refuses a same-named domain with another uuid: the existing one is kept
        assertTrue(d.document().contains("<uuid>" + uuid + "</uuid>"), d.document());
    }

    @Test
    void aDomainPassthroughDidNotDefineIsNeverReplaced() {
        Fixtures.Golden g = Fixtures.seed1();
        HostFacts facts = host(Map.of("etc/libvirt/qemu/win10.xml", libvirtConfig("win10",
                "6a0e7e1c-0000-4000-8000-0000000000aa")), "virsh");
        VmDefinition d = g.hypervisor().define(facts, g.vm(), g.features());
        assertEquals(List.of(), d.changes());
        assertTrue(d.findings().stream().anyMatch(f -> f.severity() == Severity.ERROR
                && f.code().equals("LIBVIRT_DOMAIN_NOT_OURS") && f.message().contains("etc/libvirt/qemu/win10.xml")
                && f.fix().contains("virsh dumpxml win10")), d.findings().toString());
        assertFalse(d.document().isEmpty(), "--out still gets the document");
    }

    @Test
    void removeDeletesTheDocumentAndUndefinesUndoneByDefiningTheRestoredDocument() {
        List<Change> c = libvirt.remove(host(Map.of(), "virsh"), "win10");
        assertEquals(FileChange.delete("etc/passthrough/vms/win10.xml", "x").path(), ((FileChange) c.get(0)).path());
        assertEquals(null, ((FileChange) c.get(0)).newContent());
        CommandChange undefine = (CommandChange) c.get(1);
        assertEquals(List.of("virsh", "-c", "qemu:///system", "undefine", "--nvram", "win10"), undefine.argv());
        assertEquals(CommandUndo.run("virsh", "-c", "qemu:///system", "define", "/etc/passthrough/vms/win10.xml"),
                undefine.undo());
    }

    @Test
    void settingsNameTheUriAndTheFirmwareMode() {
        assertEquals(Set.of("uri", "firmwareAutoSelect"), libvirt.settingNames());
        LibvirtHypervisor test = (LibvirtHypervisor) libvirt.withSettings(new PluginSettings(Map.of("uri", "test:///default")));
        assertEquals(List.of("virsh", "-c", "test:///default", "undefine", "--nvram", "x"),
                ((CommandChange) test.remove(host(Map.of()), "x").get(1)).argv());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> libvirt.withSettings(new PluginSettings(Map.of("firmwareAutoSelect", "yes"))));
        assertTrue(e.getMessage().contains("firmwareAutoSelect") && e.getMessage().contains("'yes'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> libvirt.withSettings(new PluginSettings(Map.of("uri", "a b"))));
        Fixtures.Golden g = Fixtures.tcgDirectBoot();
        String auto = libvirt.define(host(Map.of()), g.vm(), g.features()).document();
        String explicit = libvirt.withSettings(new PluginSettings(Map.of("firmwareAutoSelect", "false")))
                .define(host(Map.of()), g.vm(), g.features()).document();
        assertTrue(auto.contains("<os firmware='efi'>") && !auto.contains("<loader"), auto);
        assertTrue(explicit.contains("<loader readonly='yes' secure='no' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.fd</loader>")
                && explicit.contains("<nvram template='/usr/share/OVMF/OVMF_VARS_4M.fd'/>")
                && !explicit.contains("firmware='efi'"), explicit);
    }

    @Test
    void theFeatureOrderDoesNotChangeTheBytes() {
        Fixtures.Golden g = Fixtures.seed1();
        List<VmFeature> shuffled = new ArrayList<>(g.features());
        String expected = g.render();
        for (long seed = 0; seed < 20; seed++) {
            Collections.shuffle(shuffled, new java.util.Random(seed));
            assertEquals(expected, g.hypervisor().define(host(Map.of()), g.vm(), shuffled).document());
        }
    }

    @Test
    void conflictingFeaturesAndAFeatureForAnotherDeviceAreRefused() {
        Fixtures.Golden g = Fixtures.seed1();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> libvirt.define(host(Map.of()), g.vm(),
                List.of(new VmFeature.HypervVendorId("a"), new VmFeature.HypervVendorId("b"))));
        assertTrue(e.getMessage().contains("hyperv-vendor-id"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> libvirt.define(host(Map.of()), g.vm(),
                List.of(new VmFeature.RomBarOff(Fixtures.pci("0000:01:00.0")))));
        assertTrue(e.getMessage().contains("0000:01:00.0"), e.getMessage());
    }

    /** Every kind of the sealed VmFeature changes the document: a kind added to the API fails here until rendered. */
    @Test
    void everyFeatureKindIsRendered() {
        Map<Class<?>, VmFeature> examples = Map.of(
                VmFeature.HideKvm.class, new VmFeature.HideKvm(),
                VmFeature.HypervVendorId.class, new VmFeature.HypervVendorId("vendor"),
                VmFeature.KvmIoapic.class, new VmFeature.KvmIoapic(),
                VmFeature.SpiceServerMouse.class, new VmFeature.SpiceServerMouse(),
                VmFeature.HostPhysBits.class, new VmFeature.HostPhysBits(),
                VmFeature.PciMmio64Window.class, new VmFeature.PciMmio64Window(65536),
                VmFeature.RomBarOff.class, new VmFeature.RomBarOff(Fixtures.pci("0000:65:00.0")));
        List<Class<?>> kinds = new ArrayList<>();
        leaves(VmFeature.class, kinds);
        assertEquals(Set.copyOf(kinds), examples.keySet(), "the example list must name every kind of VmFeature");
        Fixtures.Golden g = Fixtures.seed1();
        String without = libvirt.define(host(Map.of()), g.vm(), List.of()).document();
        Map<Class<?>, String> expected = Map.of(
                VmFeature.HideKvm.class, "<kvm>\n      <hidden state='on'/>\n    </kvm>",
                VmFeature.HypervVendorId.class, "<hyperv mode='custom'>\n      <vendor_id state='on' value='vendor'/>",
                VmFeature.KvmIoapic.class, "<ioapic driver='kvm'/>",
                VmFeature.SpiceServerMouse.class, "<mouse mode='server'/>",
                VmFeature.HostPhysBits.class, "<cpu mode='host-passthrough'>\n    <maxphysaddr mode='passthrough'/>\n  </cpu>",
                VmFeature.PciMmio64Window.class, "<qemu:arg value='name=opt/ovmf/X-PciMmio64Mb,string=65536'/>",
                VmFeature.RomBarOff.class, "<rom bar='off'/>");
        for (Class<?> kind : kinds) {
            String with = libvirt.define(host(Map.of()), g.vm(), List.of(examples.get(kind))).document();
            assertFalse(without.contains(expected.get(kind)), kind.getSimpleName());
            assertTrue(with.contains(expected.get(kind)), kind.getSimpleName() + ":\n" + with);
        }
    }

    private static void leaves(Class<?> type, List<Class<?>> out) {
        if (type.getPermittedSubclasses() == null) {
            out.add(type);
            return;
        }
        for (Class<?> sub : type.getPermittedSubclasses()) leaves(sub, out);
    }

    @Test
    void slotsDisksAndMarkupAreRenderedAsTheConventionsSay() {
        GuestSlot gpu = new GuestSlot(1, List.of(new PassedFunction(Fixtures.pci("0000:0a:00.0"), 0),
                new PassedFunction(Fixtures.pci("0000:0a:00.1"), 1)));
        GuestSlot usb = new GuestSlot(2, List.of(new PassedFunction(Fixtures.pci("10000:e1:00.3"), 3)));
        List<VmDisk> disks = new ArrayList<>();
        for (int i = 0; i < 28; i++) disks.add(new VmDisk("/d/" + i + ".img", "raw", null));
        VmSpec vm = new VmSpec("many", 2048, 2, VirtType.KVM, Fixtures.DEBIAN_4M, disks, "/iso/a&b's <x>.iso",
                VmNetwork.of(VmNetwork.Kind.NONE), VmSpec.Graphics.NONE, List.of(gpu, usb),
                new DirectBoot("/k", null, "console=ttyS0 x=\"a b\" y=<&>"), null);
        String xml = libvirt.define(host(Map.of()), vm, List.of()).document();
        assertTrue(xml.contains("<controller type='pci' index='2' model='pcie-root-port'>\n      <target chassis='2'/>\n"
                + "      <address type='pci' domain='0x0000' bus='0x00' slot='0x11' function='0x0'/>"), xml);
        assertTrue(xml.contains("<address domain='0x10000' bus='0xe1' slot='0x00' function='0x3'/>\n      </source>\n"
                + "      <address type='pci' domain='0x0000' bus='0x02' slot='0x00' function='0x3'/>"), xml);
        assertTrue(xml.contains("bus='0x01' slot='0x00' function='0x0' multifunction='on'/>"), xml);
        assertFalse(xml.contains("function='0x3' multifunction"), xml);
        assertTrue(xml.contains("<target dev='vdz' bus='virtio'/>") && xml.contains("<target dev='vdab' bus='virtio'/>"), xml);
        assertTrue(xml.contains("<source file='/iso/a&amp;b&apos;s &lt;x&gt;.iso'/>"), xml);
        assertTrue(xml.contains("<cmdline>console=ttyS0 x=\"a b\" y=&lt;&amp;&gt;</cmdline>"), xml);
        assertFalse(xml.contains("<interface") || xml.contains("<graphics") || xml.contains("<boot dev"), xml);
        assertFalse(xml.contains("<initrd>"), xml);
        assertEquals("a&b's <x>.iso", DomainConfig.unescape("a&amp;b&apos;s &lt;x&gt;.iso"));
    }

    @Test
    void namesWithDashesMakeAWellFormedDocument() {
        for (String name : List.of("a--b", "x-", "a.b_c")) {
            VmSpec vm = new VmSpec(name, 1024, 1, VirtType.QEMU, Fixtures.DEBIAN_4M, List.of(), null,
                    VmNetwork.of(VmNetwork.Kind.NONE), VmSpec.Graphics.NONE, List.of(), null, null);
            String xml = libvirt.define(host(Map.of()), vm, List.of()).document();
            assertTrue(xml.contains("<name>" + name + "</name>"), xml);
            assertEquals(xml.indexOf("--"), xml.indexOf("<!--") + 2, "only the comment's own dashes: " + xml);
        }
    }

    @Test
    void aCharacterXmlCannotCarryIsRefusedNamingTheField() {
        VmSpec vm = new VmSpec("x", 1024, 1, VirtType.QEMU, Fixtures.DEBIAN_4M, List.of(), null,
                VmNetwork.of(VmNetwork.Kind.NONE), VmSpec.Graphics.NONE, List.of(), new DirectBoot("/k", null, "a\0b"), null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> libvirt.define(host(Map.of()), vm, List.of()));
        assertTrue(e.getMessage().startsWith("cmdline holds the character U+0000"), e.getMessage());
    }

    @Test
    void secureBootAsksForItAndForSmm() {
        Fixtures.Golden g = Fixtures.tcgDirectBoot();
        VmSpec sb = new VmSpec(g.vm().name(), 1024, 1, VirtType.QEMU, new passthrough.api.Firmware(
                "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd", "/usr/share/OVMF/OVMF_VARS_4M.ms.fd", "raw", true, null),
                List.of(), null, VmNetwork.of(VmNetwork.Kind.NONE), VmSpec.Graphics.NONE, List.of(), null, null);
        String xml = libvirt.define(host(Map.of()), sb, List.of()).document();
        assertTrue(xml.contains("<feature enabled='yes' name='secure-boot'/>") && xml.contains("<smm state='on'/>"), xml);
    }
}
