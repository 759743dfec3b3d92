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

    /** Proxmox VE: every installed kernel's initramfs (kernels = all), then proxmox-boot-tool refresh for its ESPs. */
    @Test
    void proxmoxRebuildsEveryKernelAndRefreshesTheEspsItKeeps() {
        EarlyModulesChange early = new EarlyModulesChange(List.of("vfio", "vfio_iommu_type1", "vfio_pci"), "early");
        HostFacts pve = HostFacts.builder().kernelRelease("6.8.12-4-pve")
                .files(Map.of(InitramfsToolsLoader.PROXMOX_BOOT_UUIDS, "8C1A-2B3D\n"))
                .commands(Set.of("update-initramfs", "proxmox-boot-tool")).build();
        var all = new InitramfsToolsLoader().withSettings(new passthrough.api.PluginSettings(Map.of("kernels", "all")));
        List<List<String>> argvs = all.load(pve, early).changes().stream().filter(c -> c instanceof CommandChange)
                .map(c -> ((CommandChange) c).argv()).toList();
        assertEquals(List.of(List.of("update-initramfs", "-u", "-k", "all"), List.of("proxmox-boot-tool", "refresh")), argvs);
        // GRUB booted, no ESPs kept by proxmox-boot-tool: no refresh
        HostFacts grub = HostFacts.builder().kernelRelease("6.8.12-4-pve").files(Map.of())
                .commands(Set.of("update-initramfs", "proxmox-boot-tool")).build();
        assertEquals(List.of(List.of("update-initramfs", "-u", "-k", "all")), all.load(grub, early).changes().stream()
                .filter(c -> c instanceof CommandChange).map(c -> ((CommandChange) c).argv()).toList());
        // the running kernel by default, and a value it does not know is an error every plan shows
        assertEquals(List.of("update-initramfs", "-u", "-k", "6.8.12-4-pve"), new InitramfsToolsLoader().load(grub, early)
                .changes().stream().filter(c -> c instanceof CommandChange).map(c -> ((CommandChange) c).argv()).findFirst().orElseThrow());
        Contribution bad = new InitramfsToolsLoader().withSettings(new passthrough.api.PluginSettings(Map.of("kernels", "newest")))
                .load(grub, early);
        assertTrue(bad.changes().isEmpty() && bad.findings().get(0).message().contains("\"newest\""), bad.toString());
    }
}
