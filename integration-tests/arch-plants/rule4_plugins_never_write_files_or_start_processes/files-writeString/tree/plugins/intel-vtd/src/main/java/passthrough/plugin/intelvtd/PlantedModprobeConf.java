package passthrough.plugin.intelvtd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** PLANT (rule 4): a plugin writing a file itself instead of returning a FileChange. */
public final class PlantedModprobeConf {
    private PlantedModprobeConf() {}

    public static void write() throws IOException {
        Files.writeString(Path.of("/etc/modprobe.d/vfio.conf"), "options vfio-pci ids=10de:1b80\n");
    }
}
