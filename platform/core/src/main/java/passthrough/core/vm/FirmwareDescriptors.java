package passthrough.core.vm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import passthrough.api.Firmware;
import passthrough.core.host.HostRoot;

/**
 * Chooses the guest's UEFI firmware from QEMU's firmware descriptors, the same files libvirt's firmware
 * auto-selection reads (QEMU's docs/interop/firmware.json): {@code usr/share/qemu/firmware/*.json}, overridden by
 * a file of the same name in {@code etc/qemu/firmware/} (an empty one there hides the shipped one), taken in file-name
 * order. A descriptor fits when its interface types include "uefi", its mapping is a split flash (read-only code +
 * a variables template: the VM gets its own copy of the variables), a target is x86_64 with a q35 machine pattern,
 * and its features say secure boot exactly when it is asked for; descriptors for confidential guests (amd-sev,
 * intel-tdx), which need their own machine set-up, are skipped. Both files must exist in the root.
 */
public final class FirmwareDescriptors {
    static final String SHIPPED = "usr/share/qemu/firmware";
    static final String OVERRIDES = "etc/qemu/firmware";
    private static final ObjectMapper JSON = new ObjectMapper();

    private FirmwareDescriptors() {
    }

    /** What was chosen, or why each descriptor did not fit (for the refusal when none did). */
    public record Choice(Optional<Firmware> firmware, List<String> rejected) {
    }

    public static Choice choose(HostRoot root, boolean secureBoot) {
        Map<String, String> byName = new TreeMap<>();
        for (String dir : List.of(SHIPPED, OVERRIDES)) {
            for (String name : root.list(dir)) if (name.endsWith(".json")) byName.put(name, dir + "/" + name);
        }
        List<String> rejected = new ArrayList<>();
        for (String path : byName.values()) {
            Optional<String> text = root.readText(path);
            if (text.isEmpty() || text.get().isBlank()) continue; // an empty override hides the shipped descriptor
            String why;
            try {
                JsonNode d = JSON.readTree(text.get().getBytes(StandardCharsets.UTF_8));
                why = unfit(d, secureBoot);
                if (why == null) {
                    JsonNode mapping = d.path("mapping");
                    String code = mapping.path("executable").path("filename").asText();
                    String vars = mapping.path("nvram-template").path("filename").asText();
                    if (!root.exists(relative(code))) {
                        why = "its code " + code + " does not exist";
                    } else if (!root.exists(relative(vars))) {
                        why = "its variables template " + vars + " does not exist";
                    } else {
                        String format = mapping.path("executable").path("format").asText("raw");
                        return new Choice(Optional.of(new Firmware(code, vars, format,
                                has(d.path("features"), "secure-boot"), path)), rejected);
                    }
                }
            } catch (IOException e) {
                why = "not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")";
            }
            rejected.add(path + ": " + why);
        }
        return new Choice(Optional.empty(), rejected);
    }

    /** Why descriptor {@code d} does not fit, or null when it does. */
    static String unfit(JsonNode d, boolean secureBoot) {
        if (!has(d.path("interface-types"), "uefi")) return "not UEFI";
        JsonNode mapping = d.path("mapping");
        if (!"flash".equals(mapping.path("device").asText())) return "not a flash image (device " + mapping.path("device").asText("?") + ")";
        String mode = mapping.path("mode").asText("split");
        if (!"split".equals(mode)) return "flash mode " + mode + ", not split code + variables";
        if (mapping.path("executable").path("filename").asText().isEmpty()
                || mapping.path("nvram-template").path("filename").asText().isEmpty()) {
            return "no code or no variables template";
        }
        boolean q35 = false;
        for (JsonNode t : d.path("targets")) {
            if (!"x86_64".equals(t.path("architecture").asText())) continue;
            for (JsonNode m : t.path("machines")) if (m.asText().startsWith("pc-q35")) q35 = true;
        }
        if (!q35) return "not for x86_64 q35";
        JsonNode features = d.path("features");
        if (has(features, "amd-sev") || has(features, "amd-sev-es") || has(features, "amd-sev-snp") || has(features, "intel-tdx")) {
            return "for confidential guests (SEV/TDX)";
        }
        boolean sb = has(features, "secure-boot");
        if (sb != secureBoot) return sb ? "enforces Secure Boot (not asked for)" : "no Secure Boot (asked for)";
        return null;
    }

    private static boolean has(JsonNode array, String value) {
        for (JsonNode n : array) if (value.equals(n.asText())) return true;
        return false;
    }

    static String relative(String absolute) {
        return absolute.startsWith("/") ? absolute.substring(1) : absolute;
    }
}
