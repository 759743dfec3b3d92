package passthrough.plugin.amdvi;

/** PLANT (rule 3): amd-vi code compiled into intel-vtd (intel-vtd cannot see the amd-vi jar). */
public final class PlantedAmdHelper {
    private PlantedAmdHelper() {}

    public static String passThrough() {
        return String.valueOf("iommu=pt");
    }
}
