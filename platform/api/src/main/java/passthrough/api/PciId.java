package passthrough.api;

/** A vendor:device pair such as 10de:2184, the form used by {@code vfio-pci.ids=} and {@code lspci -nn}. */
public record PciId(int vendor, int device) implements Comparable<PciId> {

    public PciId {
        if (vendor < 0 || vendor > 0xffff) throw new IllegalArgumentException("PCI vendor id out of range: " + vendor);
        if (device < 0 || device > 0xffff) throw new IllegalArgumentException("PCI device id out of range: " + device);
    }

    public String vendorHex() {
        return String.format("%04x", vendor);
    }

    public String deviceHex() {
        return String.format("%04x", device);
    }

    @Override
    public String toString() {
        return vendorHex() + ":" + deviceHex();
    }

    @Override
    public int compareTo(PciId o) {
        int c = Integer.compare(vendor, o.vendor);
        return c != 0 ? c : Integer.compare(device, o.device);
    }
}
