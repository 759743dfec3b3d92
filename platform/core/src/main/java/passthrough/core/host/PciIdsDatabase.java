package passthrough.core.host;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import passthrough.api.PciClassCode;
import passthrough.api.PciId;

/**
 * Names from the pci.ids database (Debian package pci.ids: /usr/share/misc/pci.ids, or hwdata's
 * /usr/share/hwdata/pci.ids). Only the names of the ids asked for are kept, so a 1.3 MB file costs little.
 * Without the file, class names come from {@link PciClassNames}.
 */
public final class PciIdsDatabase {
    private final Map<Integer, String> vendors = new HashMap<>();
    private final Map<PciId, String> devices = new HashMap<>();
    private final Map<Integer, String> classes = new HashMap<>(); // key: base<<8 | sub

    private PciIdsDatabase() {
    }

    public static PciIdsDatabase empty() {
        return new PciIdsDatabase();
    }

    /** Parses the database, keeping vendor and device names for {@code wanted} and all class names. */
    public static PciIdsDatabase parse(String text, Set<PciId> wanted) {
        Set<Integer> wantedVendors = new java.util.HashSet<>();
        for (PciId id : wanted) wantedVendors.add(id.vendor());
        PciIdsDatabase db = new PciIdsDatabase();
        int vendor = -1;
        int baseClass = -1;
        boolean inClasses = false;
        int len = text.length();
        int pos = 0;
        while (pos < len) {
            int end = text.indexOf('\n', pos);
            if (end < 0) end = len;
            String line = text.substring(pos, end);
            pos = end + 1;
            if (line.isEmpty() || line.charAt(0) == '#') continue;
            if (line.startsWith("C ")) {
                inClasses = true;
                var cls = hexPrefix(line.substring(2), 2);
                baseClass = cls == null ? -1 : cls;
                continue;
            }
            if (inClasses) {
                if (line.startsWith("\t") && !line.startsWith("\t\t") && baseClass >= 0) {
                    Integer sub = hexPrefix(line.substring(1), 2);
                    if (sub != null) db.classes.put(baseClass << 8 | sub, name(line.substring(1), 2));
                }
                continue;
            }
            if (line.charAt(0) != '\t') {
                Integer v = hexPrefix(line, 4);
                vendor = v == null ? -1 : v;
                if (v != null && wantedVendors.contains(v)) db.vendors.put(v, name(line, 4));
            } else if (!line.startsWith("\t\t") && vendor >= 0 && wantedVendors.contains(vendor)) {
                Integer d = hexPrefix(line.substring(1), 4);
                if (d != null) {
                    PciId id = new PciId(vendor, d);
                    if (wanted.contains(id)) db.devices.put(id, name(line.substring(1), 4));
                }
            }
        }
        return db;
    }

    private static Integer hexPrefix(String s, int digits) {
        if (s.length() < digits) return null;
        var v = SysfsValues.hex(s.substring(0, digits), digits);
        return v.isPresent() ? v.getAsInt() : null;
    }

    private static String name(String s, int digits) {
        return s.substring(digits).strip();
    }

    public Optional<String> vendorName(int vendor) {
        return Optional.ofNullable(vendors.get(vendor));
    }

    public Optional<String> deviceName(PciId id) {
        return Optional.ofNullable(devices.get(id));
    }

    /** "VGA compatible controller", from pci.ids when loaded, else the built-in table. */
    public String className(PciClassCode code) {
        String n = classes.get(code.baseClass() << 8 | code.subClass());
        if (n != null) return n;
        return PciClassNames.nameOf(code);
    }
}
