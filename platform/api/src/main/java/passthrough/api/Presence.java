package passthrough.api;

/** Three-valued presence: a fact that could not be read is unknown, not absent. */
public enum Presence {
    PRESENT, ABSENT, UNKNOWN;

    public String jsonName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
