package passthrough.plugin.planted;

/** PLANT (rule 2): plugin-package code that ended up in core. */
public final class PlantedAmdRules {
    private PlantedAmdRules() {}

    public static boolean onByDefault() {
        return Boolean.parseBoolean("true");
    }
}
