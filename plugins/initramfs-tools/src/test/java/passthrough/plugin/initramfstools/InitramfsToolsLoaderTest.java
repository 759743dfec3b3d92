package passthrough.plugin.initramfstools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import passthrough.api.CommandChange;
import passthrough.api.Contribution;
import passthrough.api.EarlyModulesChange;
import passthrough.api.FileChange;
import passthrough.api.HostFacts;

class InitramfsToolsLoaderTest {
    static final String STOCK = "# List of modules that you want to include in your initramfs.\n# Syntax:  module_name [args ...]\n";

    static HostFacts host(Map<String, String> files) {
        return HostFacts.builder().kernelRelease("6.1.0-27-amd64").files(files).commands(Set.of("update-initramfs")).build();
    }

    @Test
    void appendsTheMissingModulesKeepingTheFileAndRebuildsThatKernelsInitramfs() {
        Contribution c = new InitramfsToolsLoader().load(host(Map.of(InitramfsToolsLoader.MODULES, STOCK + "vfio\n")),
                new EarlyModulesChange(List.of("vfio", "vfio_iommu_type1", "vfio-pci"), "early"));
        FileChange f = (FileChange) c.changes().get(0);
        assertEquals(STOCK + "vfio\n# added by passthrough: load before the native drivers\nvfio_iommu_type1\nvfio-pci\n", f.newContent());
        assertEquals(List.of("update-initramfs", "-u", "-k", "6.1.0-27-amd64"), ((CommandChange) c.changes().get(1)).argv());
    }

    @Test
    void nothingWhenAllArePresent() {
        Contribution c = new InitramfsToolsLoader().load(host(Map.of(InitramfsToolsLoader.MODULES, "vfio_pci\n")),
                new EarlyModulesChange(List.of("vfio-pci"), "early"));
        assertTrue(c.changes().isEmpty());
    }

    @Test
    void aChangedModprobeFileAloneRebuildsTheInitramfs() {
        Contribution c = new InitramfsToolsLoader().load(host(Map.of(InitramfsToolsLoader.MODULES, "vfio_pci\n")),
                new EarlyModulesChange(List.of("vfio-pci"), List.of(), List.of("etc/modprobe.d/passthrough-vfio.conf"), "early"));
        assertEquals(1, c.changes().size());
        CommandChange rebuild = (CommandChange) c.changes().get(0);
        assertEquals("update-initramfs", rebuild.argv().get(0));
        assertTrue(rebuild.reason().contains("/etc/modprobe.d/passthrough-vfio.conf"), rebuild.reason());
    }

    @Test
    void extraFilesGetAnExecutableHookThatCopiesThemOnlyWhenPresent() {
        Contribution c = new InitramfsToolsLoader().load(host(Map.of(InitramfsToolsLoader.MODULES, "vfio_pci\n")),
                new EarlyModulesChange(List.of("vfio-pci"), List.of("etc/passthrough/bind-by-address.sh"), "early"));
        FileChange hook = (FileChange) c.changes().get(0);
        assertEquals(InitramfsToolsLoader.HOOK, hook.path());
        assertTrue(hook.executable(), "run-parts skips hooks that are not executable");
        assertTrue(hook.newContent().contains("[ -e /etc/passthrough/bind-by-address.sh ] && copy_file passthrough "
                + "/etc/passthrough/bind-by-address.sh /etc/passthrough/bind-by-address.sh\n"), hook.newContent());
        assertEquals(List.of("etc/passthrough/bind-by-address.sh"), InitramfsToolsLoader.copiedBy(hook.newContent()));
        assertTrue(c.changes().get(1) instanceof CommandChange);
        // planned again with the hook in place: nothing to do
        Contribution again = new InitramfsToolsLoader().load(host(Map.of(InitramfsToolsLoader.MODULES, "vfio_pci\n",
                InitramfsToolsLoader.HOOK, hook.newContent())),
                new EarlyModulesChange(List.of("vfio-pci"), List.of("etc/passthrough/bind-by-address.sh"), "early"));
        assertTrue(again.changes().isEmpty());
    }
}
