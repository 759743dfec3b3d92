package passthrough.plugin.intelvtd;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** PLANT (rule 4): java.io.FileOutputStream. */
public final class PlantedDracutConf {
    private PlantedDracutConf() {}

    public static void write() throws IOException {
        try (OutputStream out = new FileOutputStream("/etc/dracut.conf.d/vfio.conf")) {
            out.write("force_drivers+=\" vfio-pci \"\n".getBytes(StandardCharsets.UTF_8));
        }
    }
}
