package passthrough.api;

/** The ACPI table through which firmware announces an IOMMU. */
public enum FirmwareTable {
    /** DMA Remapping table: Intel VT-d. */
    DMAR("Intel VT-d"),
    /** I/O Virtualization Reporting Structure: AMD-Vi. */
    IVRS("AMD-Vi");

    private final String technology;

    FirmwareTable(String technology) {
        this.technology = technology;
    }

    public String technology() {
        return technology;
    }
}
