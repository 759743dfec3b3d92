package passthrough.plugin.amdvi;

import java.io.FileNotFoundException;
import java.io.PrintWriter;

/** PLANT (rule 4): PrintWriter constructed on a file name (opens the file for writing). */
public final class PlantedGrubSnippet {
    private PlantedGrubSnippet() {}

    public static void write() throws FileNotFoundException {
        try (PrintWriter w = new PrintWriter("/etc/default/grub.d/iommu.cfg")) {
            w.println("GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT iommu=pt\"");
        }
    }
}
