package passthrough.api;

/**
 * What /proc/cpuinfo says about virtualization.
 *
 * @param vendor          Intel, AMD or unknown
 * @param modelName       "model name" of the first processor, null when absent
 * @param virtualization  the {@code vmx} (Intel VT-x) or {@code svm} (AMD-V) flag is present
 * @param known           false when /proc/cpuinfo could not be read at all
 */
public record CpuInfo(CpuVendor vendor, String modelName, boolean virtualization, boolean known) {

    public static CpuInfo unknown() {
        return new CpuInfo(CpuVendor.UNKNOWN, null, false, false);
    }

    /** The flag a CPU of this vendor shows when hardware virtualization is enabled. */
    public String virtualizationFlag() {
        return vendor == CpuVendor.AMD ? "svm" : "vmx";
    }
}
