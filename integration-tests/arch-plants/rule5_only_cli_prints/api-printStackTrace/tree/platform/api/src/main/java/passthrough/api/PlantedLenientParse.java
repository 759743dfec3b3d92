package passthrough.api;

/** PLANT (rule 5): printStackTrace() with no argument prints to System.err (called on a subclass of Throwable). */
public final class PlantedLenientParse {
    private PlantedLenientParse() {}

    public static int parse(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            e.printStackTrace();
            return -1;
        }
    }
}
