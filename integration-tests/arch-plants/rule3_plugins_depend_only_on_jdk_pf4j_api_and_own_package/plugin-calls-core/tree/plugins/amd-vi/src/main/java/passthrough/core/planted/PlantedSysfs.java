package passthrough.core.planted;

/** PLANT (rule 3): core-package code compiled into a plugin (a plugin cannot see the core jar). */
public final class PlantedSysfs {
    private PlantedSysfs() {}

    public static String read(String path) {
        return "";
    }
}
