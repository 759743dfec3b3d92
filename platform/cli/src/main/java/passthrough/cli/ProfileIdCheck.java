package passthrough.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import passthrough.core.bundle.BundleEntryCheck;
import passthrough.core.bundle.BundleLayout;

/**
 * The profile check until the profile format's own validator is wired in: a bundled profile is a JSON object whose
 * string "id" is its file's name, so `profiles/debian-12.json` cannot install a profile that calls itself another.
 */
final class ProfileIdCheck implements BundleEntryCheck {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public List<String> problems(String entryName, byte[] content) {
        if (BundleLayout.kindOf(entryName) != BundleLayout.Kind.PROFILE) return List.of();
        String expected = BundleLayout.profileId(entryName);
        JsonNode profile;
        try {
            profile = JSON.readTree(content);
        } catch (JsonProcessingException e) {
            return List.of("is not valid JSON (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            return List.of("cannot be parsed (" + e.getMessage() + ")");
        }
        if (profile == null || !profile.isObject()) return List.of("is not a JSON object");
        JsonNode id = profile.get("id");
        if (id == null || !id.isTextual()) return List.of("has no string \"id\"");
        if (!id.asText().equals(expected)) {
            return List.of("its \"id\" is \"" + id.asText() + "\" but the file name says \"" + expected + "\"");
        }
        return List.of();
    }
}
