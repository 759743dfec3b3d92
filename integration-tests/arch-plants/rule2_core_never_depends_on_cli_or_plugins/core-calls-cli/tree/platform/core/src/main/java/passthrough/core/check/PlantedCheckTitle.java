package passthrough.core.check;

import passthrough.cli.planted.PlantedAnsi;

/** PLANT (rule 2): core formatting for the terminal through the cli. */
public final class PlantedCheckTitle {
    private PlantedCheckTitle() {}

    public static String title(String s) {
        return PlantedAnsi.bold(s);
    }
}
