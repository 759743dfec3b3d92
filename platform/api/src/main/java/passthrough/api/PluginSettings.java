package passthrough.api;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A distribution profile's settings for one plugin ({@code "regenerate": "grub-mkconfig -o /boot/grub/grub.cfg"}):
 * names the plugin declared in {@code settingNames()}, values as the profile wrote them. The core validates the names
 * against the plugin before the plugin sees them.
 */
public record PluginSettings(Map<String, String> values) {
    public static final PluginSettings NONE = new PluginSettings(Map.of());

    public PluginSettings {
        values = java.util.Collections.unmodifiableMap(new TreeMap<>(values));
    }

    public Optional<String> value(String name) {
        return Optional.ofNullable(values.get(name));
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }
}
