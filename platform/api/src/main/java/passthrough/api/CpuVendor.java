package passthrough.api;

/** Who made the CPU, as /proc/cpuinfo's vendor_id says; it decides which IOMMU the platform has. */
public enum CpuVendor {
    INTEL, AMD, UNKNOWN;

    public static CpuVendor fromVendorId(String vendorId) {
        if (vendorId == null) return UNKNOWN;
        return switch (vendorId.trim()) {
            case "GenuineIntel" -> INTEL;
            case "AuthenticAMD", "HygonGenuine" -> AMD;
            default -> UNKNOWN;
        };
    }

    /** Lower-case name used in JSON output. */
    public String jsonName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
