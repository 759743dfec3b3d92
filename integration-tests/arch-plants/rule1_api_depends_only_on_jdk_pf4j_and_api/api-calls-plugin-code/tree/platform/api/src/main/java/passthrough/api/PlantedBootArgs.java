package passthrough.api;

/** PLANT (rule 1): the api reaching into plugin code. */
public interface PlantedBootArgs {
    default String iommuArg() {
        return passthrough.plugin.planted.PlantedIntelDefaults.arg();
    }
}
