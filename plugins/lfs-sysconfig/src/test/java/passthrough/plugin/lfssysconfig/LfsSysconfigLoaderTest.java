package passthrough.plugin.lfssysconfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import passthrough.api.EarlyModulesChange;
import passthrough.api.FileChange;
import passthrough.api.HostFacts;
import passthrough.api.OsRelease;

class LfsSysconfigLoaderTest {
    static HostFacts lfs(Map<String, String> files, Set<String> commands) {
        return HostFacts.builder().os(new OsRelease("lfs", "12.2", "Linux From Scratch 12.2", List.of(), Map.of())).files(files)
                .commands(commands).build();
    }

    @Test
    void insertsBeforeTheEndMarkerAndRunsNothing() {
        String text = "# Begin /etc/sysconfig/modules\ntun\n# End /etc/sysconfig/modules\n";
        var c = new LfsSysconfigLoader().load(lfs(Map.of("etc/sysconfig/modules", text), Set.of()),
                new EarlyModulesChange(List.of("vfio", "vfio_pci"), "early"));
        assertEquals(1, c.changes().size());
        assertEquals("# Begin /etc/sysconfig/modules\ntun\n# added by passthrough: load before the native drivers\nvfio\nvfio_pci\n"
                + "# End /etc/sysconfig/modules\n", ((FileChange) c.changes().get(0)).newContent());
    }

    @Test
    void createsTheFileWhenAbsentAndLeavesTheChoiceToTheProfile() {
        var c = new LfsSysconfigLoader().load(lfs(Map.of(), Set.of()), new EarlyModulesChange(List.of("vfio"), "early"));
        assertTrue(((FileChange) c.changes().get(0)).newContent().startsWith("# Begin /etc/sysconfig/modules\n"));
        assertTrue(new LfsSysconfigLoader().manages(lfs(Map.of(), Set.of())));
        // an LFS host that also has update-initramfs: both loaders manage it and the profile (or --early-modules)
        // decides; this plugin no longer steps aside for another by name
        assertTrue(new LfsSysconfigLoader().manages(lfs(Map.of(), Set.of("update-initramfs"))));
    }
}
