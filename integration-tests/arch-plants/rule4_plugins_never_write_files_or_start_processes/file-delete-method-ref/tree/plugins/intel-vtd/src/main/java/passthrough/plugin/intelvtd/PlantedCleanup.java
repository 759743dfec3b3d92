package passthrough.plugin.intelvtd;

import java.io.File;
import java.util.List;

/** PLANT (rule 4): a java.io.File mutator used as a method reference (invokedynamic, no plain call). */
public final class PlantedCleanup {
    private PlantedCleanup() {}

    public static void clean(List<File> stale) {
        stale.forEach(File::delete);
    }
}
