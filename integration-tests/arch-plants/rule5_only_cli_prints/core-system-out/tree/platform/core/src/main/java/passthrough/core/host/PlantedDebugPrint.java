package passthrough.core.host;

/** PLANT (rule 5): core printing to the terminal. */
public final class PlantedDebugPrint {
    private PlantedDebugPrint() {}

    public static void show(String path) {
        System.out.println("reading " + path);
    }
}
