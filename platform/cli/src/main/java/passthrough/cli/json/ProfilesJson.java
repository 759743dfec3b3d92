package passthrough.cli.json;

import java.util.List;

/** `profiles list --json`. */
public record ProfilesJson(ChoiceJson host, List<ProfileJson> profiles, List<BrokenJson> broken) {

    /** The profile this host (--root) gets: id null when none matched. */
    public record ChoiceJson(String id, String how, String reason) {
    }

    /** @param from VERSION_ID lower bound (inclusive) or null; @param before upper bound (exclusive) or null */
    public record ProfileJson(String id, String name, String origin, String file, String osId, String from, String before,
                              boolean chosenForThisHost) {
    }

    public record BrokenJson(String file, String origin, String message) {
    }
}
