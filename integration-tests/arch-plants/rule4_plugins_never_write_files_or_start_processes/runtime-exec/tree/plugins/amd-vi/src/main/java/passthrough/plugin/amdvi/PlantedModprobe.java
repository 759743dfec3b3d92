package passthrough.plugin.amdvi;

import java.io.IOException;

/** PLANT (rule 4): Runtime.exec. */
public final class PlantedModprobe {
    private PlantedModprobe() {}

    public static void load() throws IOException {
        Runtime.getRuntime().exec(new String[] {"modprobe", "vfio-pci"});
    }
}
