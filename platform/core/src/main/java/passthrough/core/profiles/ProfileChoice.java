package passthrough.core.profiles;

/**
 * Which profile a command uses and why, said to the user by `check`, `plan` and `vm create`.
 *
 * @param profile null when none matches (then plugins are chosen by asking each whether it manages the host)
 * @param how     how it was chosen
 * @param reason  one sentence: the os-release fields and the rule, or what to do when none matched
 */
public record ProfileChoice(Profile profile, How how, String reason) {

    public enum How {
        /** --profile ID. */
        OVERRIDE,
        /** ID and VERSION_ID in the profile's range. */
        EXACT,
        /** Same ID, VERSION_ID outside every profile's range: the nearest version. */
        CLOSEST_VERSION,
        /** No profile for ID: the newest profile of the first ID_LIKE entry that has one. */
        CLOSEST_ID_LIKE,
        /** Nothing matched. */
        NONE;

        public String jsonName() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    public boolean found() {
        return profile != null;
    }

    public String id() {
        return profile == null ? null : profile.id();
    }
}
