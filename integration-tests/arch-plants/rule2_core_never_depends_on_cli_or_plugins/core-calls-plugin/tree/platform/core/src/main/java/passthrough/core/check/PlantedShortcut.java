package passthrough.core.check;

/** PLANT (rule 2): core hard-wiring plugin logic. */
public final class PlantedShortcut {
    private PlantedShortcut() {}

    public static boolean amdIommuOn() {
        return passthrough.plugin.planted.PlantedAmdRules.onByDefault();
    }
}
