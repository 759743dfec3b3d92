package passthrough.cli;

import passthrough.cli.json.ProfilesJson;
import passthrough.core.host.HostRoot;
import passthrough.core.host.HostRootException;
import passthrough.core.profiles.Profile;
import passthrough.core.profiles.ProfileCatalog;
import passthrough.core.profiles.ProfileChoice;

/** What the `profiles` subcommands share: opening the root, and how a profile is shown. */
final class ProfileCommands {
    private ProfileCommands() {
    }

    static HostRoot root(PassthroughCommand global) {
        try {
            return HostRoot.open(global.root, null);
        } catch (HostRootException e) {
            throw new UserError(ExitCodes.USAGE, e.getMessage(), e);
        }
    }

    static String matches(Profile p) {
        return "ID=" + p.match().id() + (p.match().versions() == null ? "" : " " + p.match().versions().toStringShort())
                + evidence(p.match());
    }

    /** The match's evidence beyond ID and version, e.g. " VARIANT_ID=silverblue|kinoite, usr/bin/pveversion present". */
    static String evidence(Profile.Match m) {
        java.util.List<String> parts = new java.util.ArrayList<>();
        if (!m.variants().isEmpty()) parts.add("VARIANT_ID=" + String.join("|", m.variants()));
        for (String f : m.whenPresent()) parts.add(f + " present");
        for (String f : m.whenAbsent()) parts.add(f + " absent");
        return parts.isEmpty() ? "" : ", " + String.join(", ", parts);
    }

    static ProfilesJson.ProfileJson json(ProfileCatalog.Entry e, ProfileChoice choice) {
        Profile p = e.profile();
        return new ProfilesJson.ProfileJson(p.id(), p.name(), e.origin().name().toLowerCase(java.util.Locale.ROOT),
                p.source().toString(), p.match().id(), p.match().versions() == null ? null : p.match().versions().from(),
                p.match().versions() == null ? null : p.match().versions().before(), p.id().equals(choice.id()));
    }
}
