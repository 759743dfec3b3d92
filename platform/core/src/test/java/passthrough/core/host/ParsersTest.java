package passthrough.core.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;
import passthrough.api.CpuInfo;
import passthrough.api.CpuVendor;
import passthrough.api.OsRelease;
import passthrough.api.PciClassCode;
import passthrough.api.PciId;

class ParsersTest {

    @Test
    void sysfsHexValues() {
        assertEquals(OptionalInt.of(0x10de), SysfsValues.hex("0x10de\n", 4));
        assertEquals(OptionalInt.of(0x030000), SysfsValues.hex("0x030000\n", 6));
        assertEquals(OptionalInt.empty(), SysfsValues.hex("zzzz", 4));
        assertEquals(OptionalInt.empty(), SysfsValues.hex("", 4));
        assertEquals(OptionalInt.empty(), SysfsValues.hex("0x1234567", 6));
        assertEquals(OptionalInt.empty(), SysfsValues.hex("0x-1", 4));
        // found by SysfsAndPciAddressFuzzTest: non-ASCII digits and blanks were accepted, 8 digits could overflow
        assertEquals(OptionalInt.empty(), SysfsValues.hex("\uff211", 4), "a fullwidth A is not a hex digit");
        assertEquals(OptionalInt.empty(), SysfsValues.hex("\u0660\u066111", 4), "Arabic-Indic digits are not hex digits");
        assertEquals(OptionalInt.empty(), SysfsValues.hex("65\u001c", 6), "\\u001c is not a blank in sysfs");
        assertEquals(OptionalInt.empty(), SysfsValues.hex("ffffffff", 8), "does not fit an int: empty, not an exception");
        assertEquals(OptionalInt.of(0x7fffffff), SysfsValues.hex("0x7fffffff", 8));
        assertEquals(OptionalInt.empty(), SysfsValues.decimal("\u0661"));
        assertEquals(OptionalInt.of(1), SysfsValues.decimal(" 1\n"));
    }

    @Test
    void cpuInfo() {
        CpuInfo intel = CpuInfoParser.parse("processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Core(TM) i9-10900X CPU @ 3.70GHz\n"
                + "flags\t\t: fpu vme vmx smx\n\nprocessor\t: 1\nvendor_id\t: GenuineIntel\n");
        assertEquals(CpuVendor.INTEL, intel.vendor());
        assertTrue(intel.virtualization());
        assertEquals("Intel(R) Core(TM) i9-10900X CPU @ 3.70GHz", intel.modelName());
        CpuInfo amd = CpuInfoParser.parse("vendor_id : AuthenticAMD\nflags : fpu sse\n");
        assertEquals(CpuVendor.AMD, amd.vendor());
        assertFalse(amd.virtualization());
        assertFalse(CpuInfoParser.parse("garbage").known());
    }

    @Test
    void osReleaseWithAnEmptyIdIsLinux() {
        // found by OsReleaseFuzzTest: "ID=" gave an empty id
        assertEquals("linux", OsReleaseParser.parse("ID=\nVERSION_ID=1\n").id());
        assertEquals("linux", OsReleaseParser.parse("ID=\"\"\n").id());
    }

    @Test
    void osRelease() {
        OsRelease os = OsReleaseParser.parse("NAME=\"Ubuntu\"\nVERSION_ID=\"18.04\"\nID=ubuntu\nID_LIKE=debian\n"
                + "PRETTY_NAME=\"Ubuntu 18.04.6 LTS\"\n# comment\nBAD LINE\nX='single'\nY=\"a \\\"q\\\"\"\n");
        assertEquals("ubuntu", os.id());
        assertEquals("18.04", os.versionId());
        assertEquals("Ubuntu 18.04.6 LTS", os.prettyName());
        assertEquals(List.of("debian"), os.idLike());
        assertEquals("single", os.fields().get("X"));
        assertEquals("a \"q\"", os.fields().get("Y"));
    }

    @Test
    void moduleAliasesMatchLikeModprobe() {
        ModuleAliasTable t = ModuleAliasTable.parse(String.join("\n",
                "alias pci:v000010DEd*sv*sd*bc03sc*i* nouveau",
                "alias pci:v000010DEd00001AEBsv*sd*bc*sc*i* snd_hda_intel",
                "alias pci:v*d*sv*sd*bc0Csc03i30* xhci_pci",
                "alias pci:v000010DEd00001AEDsv*sd*bc*sc*i* i2c_nvidia_gpu",
                "alias pci:v000010DEd*sv*sd*bc03sc0[02]i00* nvidia",
                "alias usb:v*p* usbcore",
                "alias pci:v00008086d*sv*sd*bc*sc*i* e1000e"));
        assertEquals(List.of("nouveau", "nvidia"), t.modulesFor("pci:v000010DEd00002184sv00001458sd00003FC8bc03sc00i00"));
        assertEquals(List.of("snd_hda_intel"), t.modulesFor("pci:v000010DEd00001AEBsv00001458sd00003FC8bc04sc03i00"));
        assertEquals(List.of("xhci_pci"), t.modulesFor("pci:v000010DEd00001AECsv00001458sd00003FC8bc0Csc03i30"));
        assertEquals(List.of("nouveau"), t.modulesFor("pci:v000010DEd00001E37sv000010DEsd00001370bc03sc02i01"));
        assertEquals(List.of(), t.modulesFor(null));
        assertEquals(6, t.size());
    }

    @Test
    void moduleListsFromPaths() {
        assertEquals(Set.of("vfio_pci", "pci-stub", "xhci-pci"), ModuleLists.namesFromPaths(
                "kernel/drivers/vfio/pci/vfio_pci.ko.xz: kernel/drivers/vfio/vfio.ko.xz\nkernel/drivers/pci/pci-stub.ko\n"
                        + "kernel/drivers/usb/host/xhci-pci.ko.zst:\n\n"));
        assertEquals(Set.of("nvidia", "snd_hda_intel"), ModuleLists.namesFromProcModules(
                "nvidia 35323904 17 - Live 0x0000000000000000 (POE)\nsnd_hda_intel 53248 3 - Live 0x0\n"));
    }

    @Test
    void pciIdsNamesOnlyForWantedIds() {
        String db = "# comment\n10de  NVIDIA Corporation\n\t2184  TU116 [GeForce GTX 1660]\n\t\t1458 3fc8  sub\n"
                + "\t1aeb  TU116 High Definition Audio Controller\n8086  Intel Corporation\n\t1234  Other\n"
                + "C 03  Display controller\n\t00  VGA compatible controller\n\t02  3D controller\n";
        PciIdsDatabase names = PciIdsDatabase.parse(db, Set.of(new PciId(0x10de, 0x2184)));
        assertEquals("NVIDIA Corporation", names.vendorName(0x10de).orElseThrow());
        assertEquals("TU116 [GeForce GTX 1660]", names.deviceName(new PciId(0x10de, 0x2184)).orElseThrow());
        assertTrue(names.deviceName(new PciId(0x10de, 0x1aeb)).isEmpty());
        assertTrue(names.vendorName(0x8086).isEmpty());
        assertEquals("3D controller", names.className(new PciClassCode(0x030200)));
        assertEquals("USB controller", PciIdsDatabase.empty().className(new PciClassCode(0x0c0330)));
    }
}
