package passthrough.api;

import java.util.Objects;

/**
 * One kernel command-line parameter: {@code quiet}, {@code intel_iommu=on}, {@code vfio-pci.ids=10de:2184}.
 *
 * @param name  the name; the kernel treats '-' and '_' in names alike, so compare with {@link #sameName}
 * @param value the value without surrounding quotes, or null for a bare flag
 */
public record KernelParameter(String name, String value) {

    public KernelParameter {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || name.chars().anyMatch(c -> Character.isWhitespace(c) || c == '"' || c == '=')) {
            throw new IllegalArgumentException("not a kernel parameter name: '" + name + "'");
        }
        if (value != null && value.indexOf('"') >= 0) {
            throw new IllegalArgumentException("a kernel parameter value cannot contain '\"': " + value);
        }
    }

    public static KernelParameter flag(String name) {
        return new KernelParameter(name, null);
    }

    public static KernelParameter of(String name, String value) {
        return new KernelParameter(name, value);
    }

    /** Parses {@code name}, {@code name=value} or {@code name="a value"}. */
    public static KernelParameter parse(String text) {
        int eq = text.indexOf('=');
        if (eq < 0) return flag(text);
        String value = text.substring(eq + 1);
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) value = value.substring(1, value.length() - 1);
        return new KernelParameter(text.substring(0, eq), value);
    }

    /** The kernel's own rule (kernel/params.c parameq): dashes and underscores are the same in names. */
    public boolean sameName(String other) {
        return normalize(name).equals(normalize(other));
    }

    /** Same name and, when {@code pattern} has a value, the same value; a pattern without value matches any. */
    public boolean matches(KernelParameter pattern) {
        return sameName(pattern.name) && (pattern.value == null || pattern.value.equals(value));
    }

    static String normalize(String name) {
        return name.replace('-', '_');
    }

    /** As it is written on the command line, quoting a value that holds spaces. */
    @Override
    public String toString() {
        if (value == null) return name;
        boolean quote = value.isEmpty() || value.chars().anyMatch(Character::isWhitespace);
        return quote ? name + "=\"" + value + "\"" : name + "=" + value;
    }
}
