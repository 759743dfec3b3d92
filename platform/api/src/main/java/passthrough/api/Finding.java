package passthrough.api;

import java.util.Objects;

/**
 * One thing a check found, always with the way out.
 *
 * @param severity how much it matters
 * @param code     a stable identifier for scripts, e.g. {@code IOMMU_INACTIVE}
 * @param message  what is the case, naming the file or device
 * @param fix      what the user can do; "" when nothing is to be done
 */
public record Finding(Severity severity, String code, String message, String fix) {

    public Finding {
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
        fix = fix == null ? "" : fix;
    }

    public static Finding error(String code, String message, String fix) {
        return new Finding(Severity.ERROR, code, message, fix);
    }

    public static Finding warning(String code, String message, String fix) {
        return new Finding(Severity.WARNING, code, message, fix);
    }

    public static Finding info(String code, String message) {
        return new Finding(Severity.INFO, code, message, "");
    }
}
