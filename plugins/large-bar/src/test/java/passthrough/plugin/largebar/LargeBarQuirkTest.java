package passthrough.plugin.largebar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import passthrough.api.Firmware;
import passthrough.api.GuestSlot;
import passthrough.api.HostFacts;
import passthrough.api.MachineResources;
import passthrough.api.PassedFunction;
import passthrough.api.PciAddress;
import passthrough.api.PciBar;
import passthrough.api.QuirkResult;
import passthrough.api.Severity;
import passthrough.api.VirtType;
import passthrough.api.VmFeature;
import passthrough.api.VmNetwork;
import passthrough.api.VmSpec;

class LargeBarQuirkTest {
    static final long MIB = 1L << 20;
    static final long GIB = 1L << 30;
    static final PciAddress P10 = PciAddress.parse("05:00.0");
    static final PciAddress T10 = PciAddress.parse("82:00.0");
    static final PciAddress GTX = PciAddress.parse("65:00.0");
    static final PciAddress GTX_AUDIO = PciAddress.parse("65:00.1");

    /** GP102 Tesla P10/P40 as lspci -vv shows it: 16M 32-bit, 32G and 32M 64-bit prefetchable. */
    static final List<PciBar> P10_BARS = List.of(new PciBar(0, 16 * MIB, false, false, false),
            new PciBar(1, 32 * GIB, true, true, false), new PciBar(3, 32 * MIB, true, true, false));
    /** TU102 Tesla T10 16GB: the same layout with a 16 GiB BAR1. */
    static final List<PciBar> T10_BARS = List.of(new PciBar(0, 16 * MIB, false, false, false),
            new PciBar(1, 16 * GIB, true, true, false), new PciBar(3, 32 * MIB, true, true, false));

    static VmSpec vm(PciAddress... cards) {
        List<GuestSlot> slots = new ArrayList<>();
        int port = 1;
        for (PciAddress a : cards) {
            List<PassedFunction> fs = new ArrayList<>(List.of(new PassedFunction(a, a.function())));
            if (a.equals(GTX)) fs.add(new PassedFunction(GTX_AUDIO, 1));
            slots.add(new GuestSlot(port++, fs));
        }
        return new VmSpec("vm", 16384, 8, VirtType.KVM, new Firmware("/usr/share/OVMF/OVMF_CODE.fd",
                "/usr/share/OVMF/OVMF_VARS.fd", "raw", false, null), List.of(), null, VmNetwork.of(VmNetwork.Kind.USER),
                VmSpec.Graphics.NONE, slots, null, null);
    }

    static HostFacts host(Map<PciAddress, List<PciBar>> bars) {
        return HostFacts.builder().machine(new MachineResources(65536, 28, bars)).build();
    }

    @Test
    void aTeslaP10NeedsA64GiBWindowAndTheHostsAddressWidthWithTheArithmetic() {
        QuirkResult r = new LargeBarQuirk().features(host(Map.of(P10, P10_BARS)), vm(P10));
        assertEquals(List.of(new VmFeature.HostPhysBits(), new VmFeature.PciMmio64Window(65536)), r.features());
        assertTrue(r.why().startsWith("BARs: 0000:05:00.0 BAR1 32 GiB + 0000:05:00.0 BAR3 32 MiB (64-bit) = 32800 MiB"),
                r.why());
        assertTrue(r.why().contains("32 GiB") && r.why().contains("→ window 64 GiB (opt/ovmf/X-PciMmio64Mb=65536)"), r.why());
        assertTrue(r.why().contains("256 MiB (window/256)"), r.why());
        assertTrue(r.why().contains("Guest has not initialized the display"), r.why());
        assertEquals(List.of(), r.findings());
    }

    @Test
    void aTeslaT10FitsTheClassicWindow() {
        assertFalse(new LargeBarQuirk().features(host(Map.of(T10, T10_BARS)), vm(T10)).applies());
    }

    @Test
    void twoT10sTogetherDoNot() {
        // 16 GiB + 32 MiB, and the second card's window aligned to 16 GiB: 48 GiB + 32 MiB >= 32 GiB
        QuirkResult r = new LargeBarQuirk().features(host(Map.of(T10, T10_BARS, P10, T10_BARS)), vm(T10, P10));
        assertTrue(r.why().contains("= 49184 MiB"), "padding after the first card counts: " + r.why());
        assertEquals(new VmFeature.PciMmio64Window(65536), r.features().get(1));
    }

    @Test
    void aSumExactlyAtTheClassicWindowDoesNotFitBecauseTheVmsOwnDevicesNeedRoomToo() {
        List<PciBar> exactly = List.of(new PciBar(0, 16 * GIB, true, true, false), new PciBar(2, 16 * GIB, true, true, false));
        QuirkResult r = new LargeBarQuirk().features(host(Map.of(P10, exactly)), vm(P10));
        assertEquals(new VmFeature.PciMmio64Window(65536), r.features().get(1), r.why());
        List<PciBar> justBelow = List.of(new PciBar(0, 16 * GIB, true, true, false), new PciBar(2, 8 * GIB, true, true, false),
                new PciBar(4, 4 * GIB, true, true, false));
        assertFalse(new LargeBarQuirk().features(host(Map.of(P10, justBelow)), vm(P10)).applies());
    }

    @Test
    void thirtyTwoBitBarsAreNotCounted() {
        List<PciBar> only32 = List.of(new PciBar(0, 16 * MIB, false, false, false), new PciBar(1, 256 * MIB, false, true, false),
                new PciBar(2, 1024 * MIB, false, true, false));
        assertFalse(new LargeBarQuirk().features(host(Map.of(P10, only32)), vm(P10)).applies());
    }

    @Test
    void aGeforceWithItsAudioFitsAndTheAudioFunctionsBarsAreRead() {
        List<PciBar> gtx = List.of(new PciBar(0, 16 * MIB, false, false, false), new PciBar(1, 256 * MIB, true, true, false),
                new PciBar(3, 32 * MIB, true, true, false));
        QuirkResult r = new LargeBarQuirk().features(host(Map.of(GTX, gtx, GTX_AUDIO, List.of(new PciBar(0, 16 * 1024, false,
                false, false)))), vm(GTX));
        assertFalse(r.applies());
    }

    @Test
    void noBarDataIsAWarningNamingTheFunctionsNeverASilentSkip() {
        QuirkResult r = new LargeBarQuirk().features(HostFacts.builder().build(), vm(GTX));
        assertEquals(List.of(), r.features());
        assertEquals(1, r.findings().size());
        assertEquals(Severity.WARNING, r.findings().get(0).severity());
        assertTrue(r.findings().get(0).message().contains("0000:65:00.0, 0000:65:00.1"), r.findings().get(0).message());
        // the known card still counts while another's sizes are unknown
        QuirkResult partial = new LargeBarQuirk().features(host(Map.of(P10, P10_BARS)), vm(P10, GTX));
        assertEquals(2, partial.features().size());
        assertTrue(partial.findings().get(0).message().contains("0000:65:00.0"));
    }

    @Test
    void aVmWithoutCardsNeedsNothing() {
        assertFalse(new LargeBarQuirk().features(host(Map.of()), vm()).applies());
    }

    @Test
    void largerNeedsGetLargerWindowsAndAnImpossibleOneIsRefused() {
        List<PciBar> huge = List.of(new PciBar(0, 64 * GIB, true, true, false));
        QuirkResult r = new LargeBarQuirk().features(host(Map.of(P10, huge)), vm(P10));
        assertEquals(new VmFeature.PciMmio64Window(128 * 1024), r.features().get(1), r.why());
        List<PciBar> impossible = List.of(new PciBar(0, 16L << 40, true, true, false));
        QuirkResult no = new LargeBarQuirk().features(host(Map.of(P10, impossible)), vm(P10));
        assertEquals(List.of(), no.features());
        assertEquals(Severity.ERROR, no.findings().get(0).severity());
    }

    @Test
    void windowArithmetic() {
        assertEquals(32 * GIB + 32 * MIB, MmioWindow.packed(List.of(List.of(32 * GIB, 32 * MIB)), 0));
        // largest alignment first: the 16 GiB card at 0, the 32 GiB card... sorted, so 32 GiB card first, then 16 GiB
        assertEquals(48 * GIB + 32 * MIB, MmioWindow.packed(List.of(List.of(16 * GIB, 32 * MIB), List.of(32 * GIB)), 0));
        assertEquals(2 * MIB, MmioWindow.cardWindow(List.of(16 * 1024L), MIB), "a bridge window is whole MiB");
        assertEquals(64 * MIB, MmioWindow.pow2(33 * MIB + 1), "a size that is not a power of two is rounded up");
        assertEquals("32800 MiB", MmioWindow.human(32 * GIB + 32 * MIB));
        assertEquals("16 KiB", MmioWindow.human(16 * 1024));
        assertEquals("100 bytes", MmioWindow.human(100));
    }
}
