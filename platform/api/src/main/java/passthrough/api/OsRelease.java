package passthrough.api;

import java.util.List;
import java.util.Map;

/**
 * /etc/os-release (falling back to /usr/lib/os-release), the fields a profile is chosen by.
 *
 * @param id         ID, e.g. "ubuntu", "debian", "lfs"; "unknown" when the file is absent
 * @param versionId  VERSION_ID, e.g. "18.04"; "" when absent
 * @param prettyName PRETTY_NAME, for people
 * @param idLike     ID_LIKE, split on spaces (e.g. ["debian"] for Ubuntu)
 * @param fields     every field as read, values unquoted
 */
public record OsRelease(String id, String versionId, String prettyName, List<String> idLike, Map<String, String> fields) {

    public OsRelease {
        idLike = List.copyOf(idLike);
        fields = Map.copyOf(fields);
    }

    public static OsRelease unknown() {
        return new OsRelease("unknown", "", "unknown distribution", List.of(), Map.of());
    }

    public boolean isKnown() {
        return !"unknown".equals(id);
    }
}
