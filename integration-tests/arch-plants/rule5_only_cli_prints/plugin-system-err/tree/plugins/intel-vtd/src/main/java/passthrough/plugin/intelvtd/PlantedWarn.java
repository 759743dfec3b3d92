package passthrough.plugin.intelvtd;

/** PLANT (rule 5): a plugin printing. */
public final class PlantedWarn {
    private PlantedWarn() {}

    public static void warn(String s) {
        System.err.println("intel-vtd: " + s);
    }
}
