package passthrough.core.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import passthrough.api.Finding;
import passthrough.api.HostFacts;

/**
 * The configuration files a plugin asks for with a star ({@code boot/config-*}, {@code etc/modprobe.d/*.conf}): only
 * names with both the part before the star and the part after it are read. A real Debian guest with libvirt has a
 * {@code /boot/grub} directory next to its kernel configs; reading every name under boot/ warned "boot/grub: is a
 * directory" on every check (and read the kernels and initramfs images into memory).
 */
class ConfigFileGlobTest {
    @TempDir
    Path root;

    @Test
    void theStarMatchesOnlyNamesWithThePrefixAndTheSuffix() throws Exception {
        Files.createDirectories(root.resolve("sys"));
        Files.createDirectories(root.resolve("boot/grub"));
        Files.writeString(root.resolve("boot/config-6.1.0-50-amd64"), "CONFIG_INTEL_IOMMU=y\n");
        Files.write(root.resolve("boot/vmlinuz-6.1.0-50-amd64"), new byte[] {0x4d, 0x5a, 0, 1});
        Files.writeString(root.resolve("boot/System.map-6.1.0-50-amd64"), "ffffffff81000000 T _text\n");
        Files.writeString(root.resolve("boot/xconfig-1"), "not a kernel config\n");
        Files.createDirectories(root.resolve("etc/modprobe.d/old.conf.d"));
        Files.writeString(root.resolve("etc/modprobe.d/vfio.conf"), "options vfio-pci ids=10de:2504\n");
        Files.writeString(root.resolve("etc/modprobe.d/vfio.conf.bak"), "options vfio-pci ids=1:2\n");
        Files.writeString(root.resolve("top.conf"), "at the root\n");

        HostFacts facts = HostFactsReader.read(HostRoot.open(root, null),
                HostNeeds.CORE.plus(List.of("boot/config-*", "*.conf"), List.of()));

        assertEquals(Set.of("boot/config-6.1.0-50-amd64", "etc/modprobe.d/vfio.conf", "top.conf"),
                Set.copyOf(facts.files().keySet().stream().filter(f -> !f.equals("proc/mounts")).toList()));
        List<String> unreadable = facts.readProblems().stream().filter(f -> f.code().equals("UNREADABLE_FILE"))
                .map(Finding::message).toList();
        assertEquals(List.of(), unreadable, "boot/grub and the kernels are not the config files asked for");
    }
}
