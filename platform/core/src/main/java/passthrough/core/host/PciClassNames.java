package passthrough.core.host;

import java.util.Map;
import passthrough.api.PciClassCode;

/** Class names as lspci prints them, for hosts without a pci.ids file. */
public final class PciClassNames {
    private PciClassNames() {
    }

    private static final Map<Integer, String> SUBCLASSES = Map.ofEntries(
            Map.entry(0x0100, "SCSI storage controller"), Map.entry(0x0101, "IDE interface"),
            Map.entry(0x0104, "RAID bus controller"), Map.entry(0x0106, "SATA controller"),
            Map.entry(0x0107, "Serial Attached SCSI controller"), Map.entry(0x0108, "Non-Volatile memory controller"),
            Map.entry(0x0180, "Mass storage controller"),
            Map.entry(0x0200, "Ethernet controller"), Map.entry(0x0280, "Network controller"),
            Map.entry(0x0300, "VGA compatible controller"), Map.entry(0x0301, "XGA compatible controller"),
            Map.entry(0x0302, "3D controller"), Map.entry(0x0380, "Display controller"),
            Map.entry(0x0400, "Multimedia video controller"), Map.entry(0x0401, "Multimedia audio controller"),
            Map.entry(0x0403, "Audio device"), Map.entry(0x0480, "Multimedia controller"),
            Map.entry(0x0500, "RAM memory"), Map.entry(0x0580, "Memory controller"),
            Map.entry(0x0600, "Host bridge"), Map.entry(0x0601, "ISA bridge"), Map.entry(0x0604, "PCI bridge"),
            Map.entry(0x0680, "Bridge"),
            Map.entry(0x0700, "Serial controller"), Map.entry(0x0780, "Communication controller"),
            Map.entry(0x0800, "PIC"), Map.entry(0x0805, "SD Host controller"), Map.entry(0x0806, "IOMMU"),
            Map.entry(0x0880, "System peripheral"),
            Map.entry(0x0c00, "FireWire (IEEE 1394)"), Map.entry(0x0c03, "USB controller"),
            Map.entry(0x0c05, "SMBus"), Map.entry(0x0c80, "Serial bus controller"),
            Map.entry(0x0d11, "Bluetooth"), Map.entry(0x0d80, "Wireless controller"),
            Map.entry(0x1080, "Encryption controller"), Map.entry(0x1180, "Signal processing controller"),
            Map.entry(0x1200, "Processing accelerators"), Map.entry(0x1300, "Non-Essential Instrumentation"));

    private static final Map<Integer, String> BASES = Map.ofEntries(
            Map.entry(0x00, "Unclassified device"), Map.entry(0x01, "Mass storage controller"),
            Map.entry(0x02, "Network controller"), Map.entry(0x03, "Display controller"),
            Map.entry(0x04, "Multimedia controller"), Map.entry(0x05, "Memory controller"),
            Map.entry(0x06, "Bridge"), Map.entry(0x07, "Communication controller"),
            Map.entry(0x08, "Generic system peripheral"), Map.entry(0x09, "Input device controller"),
            Map.entry(0x0c, "Serial bus controller"), Map.entry(0x0d, "Wireless controller"),
            Map.entry(0x10, "Encryption controller"), Map.entry(0x11, "Signal processing controller"),
            Map.entry(0x12, "Processing accelerators"), Map.entry(0xff, "Unassigned class"));

    public static String nameOf(PciClassCode code) {
        String n = SUBCLASSES.get(code.baseClass() << 8 | code.subClass());
        if (n != null) return n;
        n = BASES.get(code.baseClass());
        return n != null ? n : String.format("Class %04x", code.value() >> 8);
    }
}
