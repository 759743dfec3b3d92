package passthrough.api;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Values to add to and take out of a comma-separated list parameter ({@code vfio-pci.ids=10de:2184,10de:1aeb},
 * {@code pci-stub.ids=}). A binding says only what it adds or releases; the list it is merged into is the one the
 * NEXT boot gets (the bootloader writer's configured command line), never the running {@code /proc/cmdline}: a second
 * plan made before the reboot must keep what the first one wrote.
 *
 * @param name   the parameter, e.g. {@code pci-stub.ids}
 * @param add    values to add (kept in order, duplicates dropped)
 * @param remove values to take out; when nothing is left the parameter goes
 */
public record KernelParameterListEdit(String name, List<String> add, List<String> remove) {

    public KernelParameterListEdit {
        Objects.requireNonNull(name, "name");
        KernelParameter.flag(name); // validates the name
        add = List.copyOf(add);
        remove = List.copyOf(remove);
        for (String v : add) {
            if (v.isEmpty() || v.contains(",") || v.chars().anyMatch(c -> Character.isWhitespace(c) || c == '"')) {
                throw new IllegalArgumentException("not a list value for " + name + ": '" + v + "'");
            }
        }
    }

    public static KernelParameterListEdit adding(String name, List<String> values) {
        return new KernelParameterListEdit(name, values, List.of());
    }

    public static KernelParameterListEdit removing(String name, List<String> values) {
        return new KernelParameterListEdit(name, List.of(), values);
    }

    /** The list's values on {@code line} (its last occurrence wins, as the kernel reads a string parameter). */
    public static List<String> valuesOn(KernelCommandLine line, String name) {
        List<String> out = new ArrayList<>();
        Optional<KernelParameter> p = line.last(name);
        if (p.isPresent() && p.get().value() != null) {
            for (String v : p.get().value().split(",")) if (!v.isBlank() && !out.contains(v.strip())) out.add(v.strip());
        }
        return out;
    }

    /**
     * The concrete parameter this edit gives on {@code line}: empty when the line already holds exactly that list
     * (nothing to do), a parameter with the merged values, or a parameter with a null value meaning "remove it".
     */
    public Optional<KernelParameter> resolveOn(KernelCommandLine line) {
        List<String> before = valuesOn(line, name);
        Set<String> after = new LinkedHashSet<>(before);
        after.removeAll(remove);
        after.addAll(add);
        boolean present = line.last(name).isPresent();
        boolean duplicates = line.all(name).size() > 1;
        if (new ArrayList<>(after).equals(before) && !duplicates && (present || !after.isEmpty())) return Optional.empty();
        if (after.isEmpty()) return present ? Optional.of(KernelParameter.flag(name)) : Optional.empty();
        return Optional.of(KernelParameter.of(name, String.join(",", after)));
    }
}
