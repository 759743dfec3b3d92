package passthrough.api;

/** The 24-bit PCI class code (base class, subclass, programming interface), e.g. 0x030000 for VGA. */
public record PciClassCode(int value) {

    public PciClassCode {
        if (value < 0 || value > 0xffffff) throw new IllegalArgumentException("PCI class code out of range: " + value);
    }

    public int baseClass() {
        return value >> 16;
    }

    public int subClass() {
        return (value >> 8) & 0xff;
    }

    public int programmingInterface() {
        return value & 0xff;
    }

    /** Base class 0x03: VGA, XGA, 3D controllers (Tesla cards are 0x0302) and other displays. */
    public boolean isDisplay() {
        return baseClass() == 0x03;
    }

    /** PCI-to-PCI bridges and root ports (0x0604) stay with the host; they are never passed through. */
    public boolean isPciBridge() {
        return baseClass() == 0x06 && subClass() == 0x04;
    }

    /** Any bridge (host, ISA, PCI, ...): base class 0x06. */
    public boolean isBridge() {
        return baseClass() == 0x06;
    }

    /** Mass storage controllers (SATA, NVMe, ...). */
    public boolean isStorage() {
        return baseClass() == 0x01;
    }

    /** Network controllers. */
    public boolean isNetwork() {
        return baseClass() == 0x02;
    }

    /** {@code 0x030000}, the form sysfs writes. */
    @Override
    public String toString() {
        return String.format("0x%06x", value);
    }
}
