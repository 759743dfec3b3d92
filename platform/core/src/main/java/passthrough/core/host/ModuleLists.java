package passthrough.core.host;

import java.util.HashSet;
import java.util.Set;

/** Module names out of modules.builtin, modules.dep and /proc/modules. */
public final class ModuleLists {
    private ModuleLists() {
    }

    /** modules.builtin / modules.dep: one path per line (modules.dep: "path: deps"), name = file name without .ko*. */
    public static Set<String> namesFromPaths(String text) {
        Set<String> names = new HashSet<>();
        for (String line : text.split("\n")) {
            String path = line;
            int colon = path.indexOf(':');
            if (colon >= 0) path = path.substring(0, colon);
            path = path.strip();
            if (path.isEmpty()) continue;
            String file = path.substring(path.lastIndexOf('/') + 1);
            int ko = file.indexOf(".ko");
            if (ko <= 0) continue;
            names.add(file.substring(0, ko));
        }
        return names;
    }

    /** /proc/modules: the first column is the name. */
    public static Set<String> namesFromProcModules(String text) {
        Set<String> names = new HashSet<>();
        for (String line : text.split("\n")) {
            String[] parts = line.strip().split("\\s+");
            if (!parts[0].isEmpty()) names.add(parts[0]);
        }
        return names;
    }
}
