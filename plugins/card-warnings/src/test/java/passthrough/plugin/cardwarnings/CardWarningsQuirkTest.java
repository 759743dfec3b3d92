package passthrough.plugin.cardwarnings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import passthrough.api.Finding;
import passthrough.api.Firmware;
import passthrough.api.GuestSlot;
import passthrough.api.HostFacts;
import passthrough.api.MachineResources;
import passthrough.api.PassedFunction;
import passthrough.api.PciAddress;
import passthrough.api.PciBar;
import passthrough.api.PciClassCode;
import passthrough.api.PciDevice;
import passthrough.api.PciId;
import passthrough.api.QuirkResult;
import passthrough.api.Reservation;
import passthrough.api.VirtType;
import passthrough.api.VmNetwork;
import passthrough.api.VmSpec;

class CardWarningsQuirkTest {
    static final long MIB = 1L << 20;
    static final long GIB = 1L << 30;

    static PciDevice dev(String addr, int vendor, int device, int cls, Integer group) {
        return new PciDevice(PciAddress.parse(addr), new PciId(vendor, device), null, new PciClassCode(cls), 0xc1, false,
                "vfio-pci", null, group, "AMD", "Device", "c", List.of());
    }

    // amd-split-card: an RX 6800 XT (Navi 21, no reset bug) at 05:00.0 in group 15, its audio alone in group 16
    static final PciDevice RX6800XT = dev("05:00.0", 0x1002, 0x73bf, 0x030000, 15);
    static final PciDevice RX6800XT_AUDIO = dev("05:00.1", 0x1002, 0xab28, 0x040300, 16);
    // an RX 5700 XT (Navi 10) with its audio in the same group
    static final PciDevice RX5700XT = dev("0b:00.0", 0x1002, 0x731f, 0x030000, 20);
    static final PciDevice RX5700XT_AUDIO = dev("0b:00.1", 0x1002, 0xab38, 0x040300, 20);
    // the Cezanne APU's iGPU: listed under Navi 10 in vendor-reset's table, left out here
    static final PciDevice CEZANNE = dev("0a:00.0", 0x1002, 0x1638, 0x030000, 7);
    static final PciDevice GTX1660 = dev("65:00.0", 0x10de, 0x2184, 0x030000, 34);

    static HostFacts host(Map<PciAddress, List<PciBar>> bars, PciDevice... devices) {
        return HostFacts.builder().devices(List.of(devices)).machine(new MachineResources(32768, 16, bars)).build();
    }

    static VmSpec vm(PciDevice... functions) {
        List<PassedFunction> fs = new ArrayList<>();
        for (PciDevice d : functions) fs.add(new PassedFunction(d.address(), d.address().function()));
        return new VmSpec("vm", 8192, 4, VirtType.KVM, new Firmware("/usr/share/OVMF/OVMF_CODE.fd",
                "/usr/share/OVMF/OVMF_VARS.fd", "raw", false, null), List.of(), null, VmNetwork.of(VmNetwork.Kind.USER),
                VmSpec.Graphics.SPICE, fs.isEmpty() ? List.of() : List.of(new GuestSlot(1, fs)), null, null);
    }

    static List<String> codes(List<Finding> fs) {
        return fs.stream().map(Finding::code).toList();
    }

    @Test
    void aNavi10CardHasTheResetBugAndPointsToVendorReset() {
        HostFacts h = host(Map.of(), RX5700XT, RX5700XT_AUDIO);
        QuirkResult r = new CardWarningsQuirk().features(h, vm(RX5700XT, RX5700XT_AUDIO));
        assertEquals(List.of("CARD_RESET_BUG"), codes(r.findings()));
        assertEquals(List.of(), r.features(), "warnings only");
        assertTrue(r.findings().get(0).message().contains("Navi 10"));
        assertTrue(r.findings().get(0).fix().contains("https://github.com/gnif/vendor-reset"));
        assertEquals(List.of("CARD_RESET_BUG"), codes(new CardWarningsQuirk().advise(h,
                new Reservation(List.of(RX5700XT, RX5700XT_AUDIO), false))));
    }

    @Test
    void theCodeDiffersFromTheThirdPartyAmdResetBugPlugin() {
        assertTrue(!CardWarningsQuirk.RESET_BUG.equals("AMD_RESET_BUG"));
    }

    @Test
    void everyFamilyOfTheTableAndNoApuOrNavi21() {
        for (int id : List.of(0x687f, 0x66af, 0x738c, 0x7310, 0x7362, 0x734f)) {
            assertTrue(CardWarningsQuirk.resetBugFamily(dev("01:00.0", 0x1002, id, 0x030000, 1)) != null, Integer.toHexString(id));
        }
        for (PciDevice d : List.of(CEZANNE, RX6800XT, dev("01:00.0", 0x1002, 0x67df, 0x030000, 1),
                dev("01:00.0", 0x10de, 0x731f, 0x030000, 1))) {
            assertEquals(null, CardWarningsQuirk.resetBugFamily(d), d.id().toString());
        }
    }

    @Test
    void resizableBarEnlargedOnTheHost() {
        Map<PciAddress, List<PciBar>> bars = Map.of(RX6800XT.address(), List.of(new PciBar(0, 16 * GIB, true, true, true),
                new PciBar(2, 2 * MIB, true, true, false), new PciBar(5, MIB, false, false, false)));
        HostFacts h = host(bars, RX6800XT, RX6800XT_AUDIO);
        QuirkResult r = new CardWarningsQuirk().features(h, vm(RX6800XT, RX6800XT_AUDIO));
        assertEquals(List.of("CARD_REBAR_ENLARGED"), codes(r.findings()));
        assertTrue(r.findings().get(0).message().contains("BAR0 is 16 GiB"), r.findings().get(0).message());
        assertTrue(r.findings().get(0).fix().contains("Resizable BAR") && r.findings().get(0).fix().contains("large-bar"));
    }

    @Test
    void resizableBarAtItsDefaultOrANonResizableLargeBarIsNoWarning() {
        Map<PciAddress, List<PciBar>> bars = Map.of(RX6800XT.address(), List.of(new PciBar(0, 256 * MIB, true, true, true)),
                GTX1660.address(), List.of(new PciBar(1, 32 * GIB, true, true, false)));
        HostFacts h = host(bars, RX6800XT, RX6800XT_AUDIO, GTX1660);
        assertEquals(List.of(), new CardWarningsQuirk().features(h, vm(RX6800XT, RX6800XT_AUDIO, GTX1660)).findings());
    }

    @Test
    void theCardsAudioInAnotherGroupForTheVmButNotForPlanWhichSaysItItself() {
        HostFacts h = host(Map.of(), RX6800XT, RX6800XT_AUDIO);
        List<Finding> vm = new CardWarningsQuirk().features(h, vm(RX6800XT)).findings();
        assertEquals(List.of("CARD_AUDIO_IN_OTHER_GROUP"), codes(vm));
        assertTrue(vm.get(0).message().contains("group 16") && vm.get(0).message().contains("group 15"), vm.get(0).message());
        assertTrue(vm.get(0).fix().contains("--device 05:00.1") && vm.get(0).fix().contains("--with-siblings"), vm.get(0).fix());
        // in the VM too: nothing to say
        assertEquals(List.of(), new CardWarningsQuirk().features(h, vm(RX6800XT, RX6800XT_AUDIO)).findings());
        // plan's own sibling warning names --with-siblings: no second one from here
        assertEquals(List.of(), new CardWarningsQuirk().advise(h, new Reservation(List.of(RX6800XT), false)));
    }

    @Test
    void nothingToSayAboutAnOrdinaryCard() {
        HostFacts h = host(Map.of(), GTX1660, dev("65:00.1", 0x10de, 0x1aeb, 0x040300, 34));
        assertEquals(List.of(), new CardWarningsQuirk().features(h, vm(GTX1660)).findings());
        assertEquals(List.of(), new CardWarningsQuirk().features(HostFacts.builder().build(), vm()).findings());
    }
}
