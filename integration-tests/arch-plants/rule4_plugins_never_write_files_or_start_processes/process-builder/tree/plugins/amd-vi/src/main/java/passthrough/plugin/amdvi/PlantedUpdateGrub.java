package passthrough.plugin.amdvi;

import java.io.IOException;

/** PLANT (rule 4): a plugin running a command itself instead of returning a CommandChange. */
public final class PlantedUpdateGrub {
    private PlantedUpdateGrub() {}

    public static int run() throws IOException, InterruptedException {
        return new ProcessBuilder("update-grub").inheritIO().start().waitFor();
    }
}
