package passthrough.api;

/** How much a finding matters: an error blocks passthrough, a warning deserves attention, info just tells. */
public enum Severity {
    ERROR, WARNING, INFO;

    public String jsonName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
