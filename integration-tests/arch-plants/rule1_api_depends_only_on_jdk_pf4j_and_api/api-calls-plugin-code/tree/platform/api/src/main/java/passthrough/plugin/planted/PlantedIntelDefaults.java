package passthrough.plugin.planted;

/** PLANT (rule 1): plugin-package code that ended up in the api module. */
public final class PlantedIntelDefaults {
    private PlantedIntelDefaults() {}

    /** A method, not a constant: javac inlines static final constants and ArchUnit would see nothing. */
    public static String arg() {
        return "intel_iommu=on";
    }
}
