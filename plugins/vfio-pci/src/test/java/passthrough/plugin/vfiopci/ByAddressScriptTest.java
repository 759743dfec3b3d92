package passthrough.plugin.vfiopci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import passthrough.api.PciAddress;
import passthrough.api.PciId;

/** The by-address script with the kernel's long PCI domains (devices behind Intel VMD: 10000:e1:00.0). */
class ByAddressScriptTest {

    private static Map<PciAddress, PciId> binds() {
        Map<PciAddress, PciId> binds = new LinkedHashMap<>();
        binds.put(PciAddress.parse("0000:01:00.0"), new PciId(0x10de, 0x2520));
        binds.put(PciAddress.parse("10000:e1:00.0"), new PciId(0x144d, 0xa80a));
        binds.put(PciAddress.parse("ffffffff:ff:1f.7"), new PciId(0x8086, 0x1234));
        return binds;
    }

    @Test
    void longDomainsAreWrittenAndReadBack() {
        String script = ByAddressScript.render(binds());
        assertTrue(script.contains("\nbind 10000:e1:00.0 0x144d 0xa80a\n"), script);
        assertEquals(binds(), ByAddressScript.read(script));
    }

    @Test
    void theShellScriptBindsADeviceWithAFiveDigitDomain(@TempDir Path tmp) throws Exception {
        // the script as written, with its sysfs and kmsg paths moved into a temporary tree
        Path sys = Files.createDirectories(tmp.resolve("devices"));
        for (String a : new String[] {"0000:01:00.0", "10000:e1:00.0"}) Files.createDirectories(sys.resolve(a));
        Files.writeString(sys.resolve("0000:01:00.0/vendor"), "0x10de\n");
        Files.writeString(sys.resolve("0000:01:00.0/device"), "0x2520\n");
        Files.writeString(sys.resolve("10000:e1:00.0/vendor"), "0x144d\n");
        Files.writeString(sys.resolve("10000:e1:00.0/device"), "0xa80a\n");
        String script = ByAddressScript.render(binds()).replace("/sys/bus/pci/devices/", sys + "/")
                .replace("/dev/kmsg", tmp.resolve("kmsg").toString());
        Path file = Files.writeString(tmp.resolve("bind-by-address.sh"), script);
        Process p = new ProcessBuilder("sh", file.toString()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.exitValue(), out);
        assertEquals("vfio-pci\n", Files.readString(sys.resolve("10000:e1:00.0/driver_override")));
        assertEquals("vfio-pci\n", Files.readString(sys.resolve("0000:01:00.0/driver_override")));
        assertTrue(Files.readString(tmp.resolve("kmsg")).contains("ffffffff:ff:1f.7 is not 0x8086:0x1234 any more"),
                "the missing device is reported, not bound");
    }
}
