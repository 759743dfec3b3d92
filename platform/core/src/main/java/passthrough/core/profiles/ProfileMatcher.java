package passthrough.core.profiles;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import passthrough.api.OsRelease;

/**
 * Picks the profile for an os-release: an exact ID + VERSION_ID match; else the same ID's nearest version; else the
 * newest profile of the first ID_LIKE entry that has one (Linux Mint: ID_LIKE="ubuntu debian"); each of the last two
 * said as such. Within each rule a profile whose on-disk evidence (match.variants, whenPresent, whenAbsent) all holds
 * beats one that names none, and a profile whose evidence fails does not match; the reason names the evidence used.
 * Two profiles matching equally is refused: the user must remove one or choose with --profile.
 */
public final class ProfileMatcher {
    private ProfileMatcher() {
    }

    /** A host no profile serves without the user's word. */
    public static final class AmbiguousProfilesException extends Exception {
        public AmbiguousProfilesException(String message) {
            super(message);
        }
    }

    /** {@link #choose(ProfileCatalog, OsRelease, Predicate)} on a host where no evidence path exists. */
    public static ProfileChoice choose(ProfileCatalog catalog, OsRelease os) throws AmbiguousProfilesException {
        return choose(catalog, os, path -> false);
    }

    /**
     * @param exists whether a path relative to the root exists ({@code *} in the last segment: any name), for the
     *               profiles' {@code whenPresent} / {@code whenAbsent} evidence
     */
    public static ProfileChoice choose(ProfileCatalog catalog, OsRelease os, Predicate<String> exists)
            throws AmbiguousProfilesException {
        String host = describe(os);
        String version = version(os);
        Map<Profile, Profile.Evidence> evidence = new LinkedHashMap<>();
        for (Profile p : catalog.profiles()) evidence.put(p, p.match().evidence(os, exists));
        List<Profile> idAndVersion = catalog.profiles().stream().filter(p -> p.match().id().equals(os.id())
                && (p.match().versions() == null || p.match().versions().contains(version))).toList();
        List<Profile> exact = mostSpecific(idAndVersion, evidence);
        if (exact.size() > 1) {
            throw new AmbiguousProfilesException("profiles " + exact.stream().map(p -> p.id() + " (" + p.source()
                    + evidenceNote(evidence.get(p)) + ")").collect(Collectors.joining(" and ")) + " both match " + host
                    + "; remove one of them (`passthrough profiles remove ID`), make their match evidence tell this host "
                    + "apart (docs/profiles.md), or choose with --profile ID");
        }
        if (exact.size() == 1) {
            Profile p = exact.get(0);
            return new ProfileChoice(p, ProfileChoice.How.EXACT, host + " matches profile " + p.id() + " (ID " + p.match().id()
                    + ", " + (p.match().versions() == null ? "any version" : "VERSION_ID " + p.match().versions())
                    + evidenceNote(evidence.get(p)) + ")" + others(p, idAndVersion, evidence));
        }
        List<Profile> sameId = mostSpecific(catalog.profiles().stream().filter(p -> p.match().id().equals(os.id())).toList(),
                evidence);
        if (!sameId.isEmpty()) {
            Profile p = nearest(sameId, version);
            return new ProfileChoice(p, ProfileChoice.How.CLOSEST_VERSION, "no profile covers " + host + "; the closest is "
                    + p.id() + " (" + p.name() + ", VERSION_ID " + p.match().versions() + evidenceNote(evidence.get(p))
                    + "); if it does not fit, write one for this version (docs/profiles.md) or choose with --profile ID");
        }
        for (String like : os.idLike()) {
            List<Profile> liked = mostSpecific(catalog.profiles().stream().filter(p -> p.match().id().equals(like)).toList(),
                    evidence);
            if (liked.isEmpty()) continue;
            Profile p = liked.stream().max(Comparator.comparing(ProfileMatcher::lowerBound, VersionRange::compare)).orElseThrow();
            return new ProfileChoice(p, ProfileChoice.How.CLOSEST_ID_LIKE, "no profile for " + host + "; it says it is like "
                    + like + " (ID_LIKE), so the newest " + like + " profile, " + p.id() + evidenceNote(evidence.get(p))
                    + ", is used; check it fits and write a profile for " + os.id() + " (docs/profiles.md) or choose with "
                    + "--profile ID");
        }
        return none(host);
    }

    /**
     * Of {@code profiles}, those whose evidence holds; if any of them names evidence, only those (a profile that saw
     * its evidence on disk is more specific than one that names none).
     */
    private static List<Profile> mostSpecific(List<Profile> profiles, Map<Profile, Profile.Evidence> evidence) {
        List<Profile> holding = profiles.stream().filter(p -> evidence.get(p).holds()).toList();
        List<Profile> withEvidence = holding.stream().filter(p -> p.match().hasEvidence()).toList();
        return withEvidence.isEmpty() ? holding : withEvidence;
    }

    private static String evidenceNote(Profile.Evidence e) {
        return e == null || e.held().isEmpty() ? "" : "; on disk: " + String.join(", ", e.held());
    }

    /** Why the other profiles of this ID and version were not taken: their evidence, or none named. */
    private static String others(Profile chosen, List<Profile> candidates, Map<Profile, Profile.Evidence> evidence) {
        List<String> out = new ArrayList<>();
        for (Profile p : candidates) {
            if (p == chosen) continue;
            Profile.Evidence e = evidence.get(p);
            out.add(e.holds() ? p.id() + ", which names no evidence on disk" : p.id() + " (" + String.join(", ", e.failed()) + ")");
        }
        return out.isEmpty() ? "" : "; not " + String.join("; not ", out);
    }

    /** Whether a path exists under the root; a {@code *} in the last segment matches any name there. */
    public static Predicate<String> onDisk(passthrough.core.host.HostRoot root) {
        return path -> {
            int slash = path.lastIndexOf('/');
            String name = path.substring(slash + 1);
            if (!name.contains("*")) return root.exists(path);
            String dir = slash < 0 ? "" : path.substring(0, slash);
            Pattern glob = Pattern.compile(Pattern.quote(name).replace("*", "\\E.*\\Q"));
            return root.list(dir).stream().anyMatch(n -> glob.matcher(n).matches());
        };
    }

    /** --profile ID. */
    public static Optional<ProfileChoice> override(ProfileCatalog catalog, String id, OsRelease os) {
        return catalog.profile(id).map(p -> new ProfileChoice(p, ProfileChoice.How.OVERRIDE, "profile " + p.id()
                + " chosen with --profile (this host is " + describe(os) + ")"));
    }

    private static ProfileChoice none(String host) {
        return new ProfileChoice(null, ProfileChoice.How.NONE, "no profile matches " + host + ", not even by ID_LIKE; "
                + "plugins are chosen by asking each whether it manages this host. Write a profile for this distribution "
                + "(docs/profiles.md; `passthrough profiles show debian-12` is an example) and install it with "
                + "`passthrough profiles install`");
    }

    /**
     * VERSION_ID, else the version number VERSION starts with: the LFS book's os-release has VERSION="12.2" and no
     * VERSION_ID. Empty when neither says (Debian testing and sid).
     */
    static String version(OsRelease os) {
        if (!os.versionId().isEmpty()) return os.versionId();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(\\d+(?:\\.\\d+)*)")
                .matcher(os.fields().getOrDefault("VERSION", ""));
        return m.find() ? m.group(1) : "";
    }

    /** The profile with the highest lower bound at or below {@code version}; else the lowest above it. */
    private static Profile nearest(List<Profile> profiles, String version) {
        List<Profile> below = new ArrayList<>();
        for (Profile p : profiles) {
            if (version.isEmpty() || VersionRange.compare(lowerBound(p), version) <= 0) below.add(p);
        }
        Comparator<Profile> byBound = Comparator.comparing(ProfileMatcher::lowerBound, VersionRange::compare);
        return below.isEmpty() ? profiles.stream().min(byBound).orElseThrow() : below.stream().max(byBound).orElseThrow();
    }

    private static String lowerBound(Profile p) {
        return p.match().versions() == null || p.match().versions().from() == null ? "0" : p.match().versions().from();
    }

    static String describe(OsRelease os) {
        StringBuilder sb = new StringBuilder("this host (/etc/os-release: ID=").append(os.id());
        if (!os.versionId().isEmpty()) sb.append(", VERSION_ID=").append(os.versionId());
        else if (!version(os).isEmpty()) sb.append(", VERSION=").append(os.fields().get("VERSION"));
        if (!os.idLike().isEmpty()) sb.append(", ID_LIKE=\"").append(String.join(" ", os.idLike())).append('"');
        return sb.append(')').toString();
    }
}
