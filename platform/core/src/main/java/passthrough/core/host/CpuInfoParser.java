package passthrough.core.host;

import passthrough.api.CpuInfo;
import passthrough.api.CpuVendor;

/** Reads vendor, model and the vmx/svm flag from /proc/cpuinfo (first processor is enough: all are alike). */
public final class CpuInfoParser {
    private CpuInfoParser() {
    }

    public static CpuInfo parse(String text) {
        String vendorId = null;
        String model = null;
        boolean virt = false;
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) continue;
            String key = line.substring(0, colon).strip();
            String value = line.substring(colon + 1).strip();
            switch (key) {
                case "vendor_id" -> { if (vendorId == null) vendorId = value; }
                case "model name" -> { if (model == null) model = value; }
                case "flags" -> {
                    for (String flag : value.split("\\s+")) {
                        if (flag.equals("vmx") || flag.equals("svm")) virt = true;
                    }
                }
                default -> { }
            }
        }
        return new CpuInfo(CpuVendor.fromVendorId(vendorId), model, virt, vendorId != null);
    }
}
