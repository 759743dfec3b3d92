package passthrough.plugin.amdvi;

/** PLANT (rule 3): a plugin reading the host through core instead of HostFacts. */
public final class PlantedIvrsReader {
    private PlantedIvrsReader() {}

    public static boolean ivrs() {
        return !passthrough.core.planted.PlantedSysfs.read("/sys/firmware/acpi/tables/IVRS").isEmpty();
    }
}
