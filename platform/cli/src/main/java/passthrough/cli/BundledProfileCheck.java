package passthrough.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import passthrough.core.bundle.BundleEntryCheck;
import passthrough.core.bundle.BundleLayout;
import passthrough.core.profiles.Profile;
import passthrough.core.profiles.ProfileCatalog;
import passthrough.core.profiles.ProfileException;
import passthrough.core.profiles.ProfileParser;

/**
 * What a bundled profile must be before it is installed: a valid profile (the same strict parser `check` uses, so the
 * message names the entry, the line and the field), and one that does not match some host equally with a profile the
 * host already knows or another in the same bundle: two equal answers are refused here, never at plan time. A
 * profile of the same id is no conflict (it replaces the old one, with --replace).
 */
final class BundledProfileCheck implements BundleEntryCheck {
    private final ProfileCatalog known;
    private final boolean replace;
    private final List<Profile> inThisBundle = new ArrayList<>();

    BundledProfileCheck(ProfileCatalog known, boolean replace) {
        this.known = known;
        this.replace = replace;
    }

    @Override
    public List<String> problems(String entryName, byte[] content) {
        if (BundleLayout.kindOf(entryName) != BundleLayout.Kind.PROFILE) return List.of();
        Profile p;
        try {
            p = ProfileParser.parse(Path.of(entryName), content);
        } catch (ProfileException e) {
            return List.of(e.getMessage());
        }
        boolean shipped = known.entry(p.id()).map(e -> e.origin() == ProfileCatalog.Origin.SHIPPED).orElse(false);
        if (shipped && !replace) {
            return List.of("profile " + p.id() + " is shipped with passthrough; install again with --replace to override "
                    + "it on this host (`passthrough profiles remove " + p.id() + "` then brings the shipped one back)");
        }
        List<Profile> clash = new ArrayList<>(known.conflictsWith(p));
        clash.addAll(ProfileCatalog.of(inThisBundle).conflictsWith(p));
        inThisBundle.add(p);
        if (clash.isEmpty()) return List.of();
        return List.of("matches the same hosts as " + clash.stream().map(c -> c.id() + " (" + c.source() + ")")
                .collect(Collectors.joining(", ")) + " (os-release ID " + p.match().id() + ", overlapping versions), so "
                + "a host would get two profiles; narrow its match.versions or remove the other profile first");
    }
}
