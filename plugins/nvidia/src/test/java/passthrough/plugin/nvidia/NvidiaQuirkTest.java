package passthrough.plugin.nvidia;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import passthrough.api.Firmware;
import passthrough.api.GuestSlot;
import passthrough.api.HostFacts;
import passthrough.api.PassedFunction;
import passthrough.api.PciAddress;
import passthrough.api.PciClassCode;
import passthrough.api.PciDevice;
import passthrough.api.PciId;
import passthrough.api.QuirkResult;
import passthrough.api.Severity;
import passthrough.api.VirtType;
import passthrough.api.VmFeature;
import passthrough.api.VmNetwork;
import passthrough.api.VmSpec;

class NvidiaQuirkTest {
    static PciDevice dev(String addr, int vendor, int device, int cls) {
        return new PciDevice(PciAddress.parse(addr), new PciId(vendor, device), null, new PciClassCode(cls), 0xa1, false,
                "vfio-pci", null, 34, "Vendor", "Device " + Integer.toHexString(device), "c", List.of());
    }

    static VmSpec vm(VirtType type, String... addrs) {
        List<PassedFunction> fs = new java.util.ArrayList<>();
        for (String a : addrs) {
            PciAddress p = PciAddress.parse(a);
            fs.add(new PassedFunction(p, p.function()));
        }
        return new VmSpec("win10", 8192, 4, type, new Firmware("/usr/share/OVMF/OVMF_CODE.fd", "/usr/share/OVMF/OVMF_VARS.fd",
                "raw", false, null), List.of(), null, VmNetwork.of(VmNetwork.Kind.USER), VmSpec.Graphics.SPICE,
                fs.isEmpty() ? List.of() : List.of(new GuestSlot(1, fs)), null, null);
    }

    static final HostFacts SEED1 = HostFacts.builder().devices(List.of(
            dev("65:00.0", 0x10de, 0x2184, 0x030000), dev("65:00.1", 0x10de, 0x1aeb, 0x040300),
            dev("66:00.0", 0x10de, 0x1e37, 0x030200), dev("67:00.0", 0x1002, 0x73bf, 0x030000),
            dev("68:00.0", 0x10de, 0x1aec, 0x0c0330))).build();

    @Test
    void aGeForceGetsHiddenKvmAVendorIdAndKvmsIoapicWithTheR465Note() {
        QuirkResult r = new NvidiaQuirk().features(SEED1, vm(VirtType.KVM, "65:00.0", "65:00.1"));
        assertEquals(List.of(new VmFeature.HideKvm(), new VmFeature.HypervVendorId("passthrough"), new VmFeature.KvmIoapic()),
                r.features());
        assertTrue(r.why().contains("0000:65:00.0"), r.why());
        assertTrue(r.why().contains("R465") && r.why().contains("no longer needs the hiding"), r.why());
        assertTrue(r.why().contains("QEMU 4.0"), r.why());
        assertEquals(List.of(), r.findings());
    }

    @Test
    void aTeslaThreeDControllerCountsAsADisplay() {
        assertTrue(new NvidiaQuirk().features(SEED1, vm(VirtType.KVM, "66:00.0")).applies());
    }

    @Test
    void noNvidiaDisplayNoQuirk() {
        NvidiaQuirk q = new NvidiaQuirk();
        assertFalse(q.features(SEED1, vm(VirtType.KVM, "67:00.0")).applies(), "an AMD GPU");
        assertFalse(q.features(SEED1, vm(VirtType.KVM, "68:00.0")).applies(), "an NVIDIA USB controller is no display");
        assertFalse(q.features(SEED1, vm(VirtType.KVM, "65:00.1")).applies(), "the card's audio function alone");
        assertFalse(q.features(SEED1, vm(VirtType.KVM)).applies(), "no devices");
        assertFalse(q.features(HostFacts.builder().build(), vm(VirtType.KVM, "65:00.0")).applies(), "unknown to the facts");
    }

    @Test
    void underTcgNothingToHideButSaysSo() {
        QuirkResult r = new NvidiaQuirk().features(SEED1, vm(VirtType.QEMU, "65:00.0"));
        assertEquals(List.of(), r.features());
        assertEquals(Severity.INFO, r.findings().get(0).severity());
        assertTrue(r.findings().get(0).message().contains("TCG"));
    }

    @Test
    void theVendorIdIsAValidHyperVId() {
        assertTrue(NvidiaQuirk.VENDOR_ID.length() <= 12);
        assertEquals("passthrough", new VmFeature.HypervVendorId(NvidiaQuirk.VENDOR_ID).value());
    }
}
