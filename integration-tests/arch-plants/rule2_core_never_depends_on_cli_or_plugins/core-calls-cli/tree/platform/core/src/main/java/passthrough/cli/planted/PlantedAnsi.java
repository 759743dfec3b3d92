package passthrough.cli.planted;

/** PLANT (rule 2): cli-package code that ended up in core. */
public final class PlantedAnsi {
    private PlantedAnsi() {}

    public static String bold(String s) {
        return "\u001b[1m" + s + "\u001b[0m";
    }
}
