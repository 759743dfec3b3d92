package passthrough.api;

/** A PCI address that is not of the form {@code 65:00.0} or {@code 0000:65:00.0}. */
public final class InvalidPciAddressException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String input;

    public InvalidPciAddressException(String input) {
        super("'" + input + "' is not a PCI address: write it as bus:device.function (65:00.0) "
                + "or domain:bus:device.function (0000:65:00.0), as `passthrough groups` shows it");
        this.input = input;
    }

    public String input() {
        return input;
    }
}
