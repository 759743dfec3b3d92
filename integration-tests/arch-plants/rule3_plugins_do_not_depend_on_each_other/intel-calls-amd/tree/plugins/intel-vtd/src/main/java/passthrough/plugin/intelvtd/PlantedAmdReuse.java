package passthrough.plugin.intelvtd;

/** PLANT (rule 3): one plugin reusing another plugin's code. */
public final class PlantedAmdReuse {
    private PlantedAmdReuse() {}

    public static String passThrough() {
        return passthrough.plugin.amdvi.PlantedAmdHelper.passThrough();
    }
}
