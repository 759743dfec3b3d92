package passthrough.core.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The archive is read back by GNU tar, the tool users will unpack it with. */
class TarGzWriterTest {
    @TempDir
    Path dir;

    @Test
    void gnuTarUnpacksFilesLinksAndLongNames() throws Exception {
        String deep = "sys/devices/pci0000:00/0000:00:1c.0/0000:02:00.0/0000:03:00.0/0000:04:00.0/0000:05:00.0";
        String veryLong = "sys/" + "x".repeat(120) + "/" + "y".repeat(150) + "/file-with-a-long-name-" + "z".repeat(90);
        Path archive = dir.resolve("t.tar.gz");
        try (OutputStream os = Files.newOutputStream(archive); TarGzWriter tar = new TarGzWriter(os, 1_700_000_000L)) {
            tar.directory("sys");
            tar.directory(deep);
            tar.file(deep + "/vendor", "0x10de\n".getBytes());
            tar.symlink("sys/bus/pci/devices/0000:05:00.0", "../../../devices/pci0000:00/0000:00:1c.0/0000:02:00.0/0000:03:00.0/0000:04:00.0/0000:05:00.0");
            tar.file(veryLong, new byte[1000]);
            tar.file("proc/cmdline", "quiet ünïcode\n".getBytes("UTF-8"));
        }
        Path out = Files.createDirectories(dir.resolve("out"));
        Process p = new ProcessBuilder("tar", "xzf", archive.toString(), "-C", out.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), log);
        assertEquals("0x10de\n", Files.readString(out.resolve("sys/bus/pci/devices/0000:05:00.0/vendor")));
        assertEquals(1000, Files.size(out.resolve(veryLong)));
        assertEquals("quiet ünïcode\n", Files.readString(out.resolve("proc/cmdline")));
        assertTrue(Files.isSymbolicLink(out.resolve("sys/bus/pci/devices/0000:05:00.0")));
    }
}
