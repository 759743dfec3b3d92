package passthrough.plugin.mkinitcpio;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Presets that name a configuration file. {@code mkinitcpio -P} builds every preset of /etc/mkinitcpio.d, passing
 * {@code -c FILE} for {@code ALL_config=} / {@code <preset>_config=}, and mkinitcpio reads no drop-ins at all when given
 * {@code -c} (its source: "Source additional configuration files, if no configuration file has been defined either with
 * "-c" or via preset file"). Arch's shipped presets leave {@code ALL_config} commented out since drop-ins came (v36);
 * an older, edited preset may still set it.
 */
final class PresetConfigs {
    private static final Pattern CONFIG = Pattern.compile("^[ \\t]*([A-Za-z0-9_]+_config)=[\"']?([^\"'#\\s]+)");

    private PresetConfigs() {
    }

    /** "etc/mkinitcpio.d/linux.preset line 3 (ALL_config=/etc/mkinitcpio.conf)" for each such line. */
    static List<String> find(Map<String, String> files) {
        List<String> out = new ArrayList<>();
        Map<String, String> presets = new TreeMap<>();
        files.forEach((path, text) -> {
            if (path.startsWith("etc/mkinitcpio.d/") && path.endsWith(".preset")) presets.put(path, text);
        });
        presets.forEach((path, text) -> {
            String[] lines = text.split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                Matcher m = CONFIG.matcher(lines[i]);
                if (m.find()) out.add(path + " line " + (i + 1) + " (" + m.group(1) + "=" + m.group(2) + ")");
            }
        });
        return out;
    }
}
