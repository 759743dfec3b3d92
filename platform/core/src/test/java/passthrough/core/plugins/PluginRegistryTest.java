package passthrough.core.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import passthrough.api.HardwareProbe;

class PluginRegistryTest {
    @TempDir
    Path dir;

    @Test
    void aBrokenJarIsReportedAndSkippedNotFatal() throws Exception {
        Files.write(dir.resolve("broken-plugin.jar"), new byte[] {'n', 'o', 't', ' ', 'a', ' ', 'j', 'a', 'r'});
        try (PluginRegistry r = PluginRegistry.load(List.of(dir))) {
            assertTrue(r.plugins().isEmpty());
            assertEquals(1, r.problems().size(), r.problems().toString());
            assertTrue(r.problems().get(0).path().toString().endsWith("broken-plugin.jar"));
            assertTrue(r.extensions(HardwareProbe.class).stream().allMatch(LoadedExtension::isBuiltin));
        }
    }

    @Test
    void missingDirectoriesAreSkipped() {
        try (PluginRegistry r = PluginRegistry.load(List.of(dir.resolve("absent")))) {
            assertTrue(r.directories().isEmpty());
            assertFalse(r.problems().iterator().hasNext());
        }
    }
}
