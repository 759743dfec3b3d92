package passthrough.api;

import java.util.Set;
import java.util.stream.Collectors;

/**
 * The running kernel's modules. Names are normalized to underscores ({@code vfio-pci} = {@code vfio_pci}),
 * as modprobe does.
 *
 * @param builtin    built into the kernel image (modules.builtin)
 * @param available  loadable modules on disk (modules.dep)
 * @param loaded     loaded now (/proc/modules)
 * @param known      false when /lib/modules/&lt;release&gt; could not be read: then nothing can be said
 */
public record KernelModules(Set<String> builtin, Set<String> available, Set<String> loaded, boolean known) {

    public KernelModules {
        builtin = normalizeAll(builtin);
        available = normalizeAll(available);
        loaded = normalizeAll(loaded);
    }

    public static KernelModules unknown() {
        return new KernelModules(Set.of(), Set.of(), Set.of(), false);
    }

    public static String normalize(String name) {
        return name.replace('-', '_');
    }

    private static Set<String> normalizeAll(Set<String> names) {
        return names.stream().map(KernelModules::normalize).collect(Collectors.toUnmodifiableSet());
    }

    public boolean isBuiltin(String module) {
        return builtin.contains(normalize(module));
    }

    public boolean isLoadable(String module) {
        return available.contains(normalize(module));
    }

    public boolean isLoaded(String module) {
        return loaded.contains(normalize(module));
    }

    /** How the module exists in this kernel. */
    public ModuleState stateOf(String module) {
        if (!known) return ModuleState.UNKNOWN;
        if (isBuiltin(module)) return ModuleState.BUILTIN;
        if (isLoadable(module)) return ModuleState.MODULE;
        return ModuleState.MISSING;
    }

    public enum ModuleState {
        BUILTIN, MODULE, MISSING, UNKNOWN;

        public String jsonName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
