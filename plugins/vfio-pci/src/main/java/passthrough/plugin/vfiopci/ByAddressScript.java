package passthrough.plugin.vfiopci;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import passthrough.api.PciAddress;
import passthrough.api.PciDevice;
import passthrough.api.PciId;

/**
 * The shell script that hands devices to vfio-pci by address: run by modprobe.d's {@code install vfio-pci} line
 * just before vfio-pci loads, it writes {@code vfio-pci} into each device's driver_override, but only when the
 * slot still holds the expected vendor:device, so a card moved to another slot is never bound by mistake. Its
 * {@code bind} lines are also its state: a later plan reads them back and adds to them.
 */
final class ByAddressScript {
    static final String PATH = "etc/passthrough/bind-by-address.sh";
    private static final Pattern BIND = Pattern.compile("^bind ([0-9a-f]{4,8}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7]) 0x([0-9a-f]{4}) 0x([0-9a-f]{4})$",
            Pattern.MULTILINE);

    private ByAddressScript() {
    }

    /** The devices a script written earlier binds, in its order; nothing when there is none. */
    static Map<PciAddress, PciId> read(String script) {
        Map<PciAddress, PciId> out = new LinkedHashMap<>();
        if (script == null) return out;
        Matcher m = BIND.matcher(script);
        while (m.find()) {
            // a line edited by hand into an impossible address (device above 1f) binds nothing at boot either
            if (!PciAddress.isValid(m.group(1))) continue;
            out.put(PciAddress.parse(m.group(1)), new PciId(Integer.parseInt(m.group(2), 16), Integer.parseInt(m.group(3), 16)));
        }
        return out;
    }

    static void add(Map<PciAddress, PciId> binds, PciDevice d) {
        binds.put(d.address(), d.id());
    }

    static String render(Map<PciAddress, PciId> binds) {
        StringBuilder sb = new StringBuilder("""
                #!/bin/sh
                # Written by passthrough: give these devices to vfio-pci by address, each only if its slot still
                # holds the expected vendor:device. Run by the `install vfio-pci` line of
                # /etc/modprobe.d/passthrough-vfio.conf; remove with `passthrough rollback`.
                bind() {
                  d=/sys/bus/pci/devices/$1
                  if [ "$(cat $d/vendor 2>/dev/null)" = "$2" ] && [ "$(cat $d/device 2>/dev/null)" = "$3" ]; then
                    echo vfio-pci > $d/driver_override
                  else
                    echo "passthrough: $1 is not $2:$3 any more; not binding it to vfio-pci" > /dev/kmsg
                  fi
                }
                """);
        for (Map.Entry<PciAddress, PciId> e : binds.entrySet()) {
            sb.append("bind ").append(e.getKey()).append(" 0x").append(e.getValue().vendorHex()).append(" 0x")
                    .append(e.getValue().deviceHex()).append('\n');
        }
        return sb.toString();
    }
}
