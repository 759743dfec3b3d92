package passthrough.core.profiles;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import passthrough.core.host.HostRoot;
import passthrough.core.host.UnreadableFileException;

/**
 * Every profile this passthrough knows: the ones shipped with it (the bundle's profiles/ directory) and the ones
 * installed on the host ({@value #INSTALLED}, under --root), an installed one replacing a shipped one of the same id
 * (`profiles install --replace`). A file that cannot be read or parsed is kept as a {@link Broken} entry, never
 * skipped silently.
 */
public final class ProfileCatalog {
    /** Where `profiles install` puts profiles, relative to the host root. */
    public static final String INSTALLED = "etc/passthrough/profiles";

    /** Where a profile came from. */
    public enum Origin { SHIPPED, INSTALLED }

    public record Entry(Profile profile, Origin origin) {
    }

    /** A profile file that could not be used, and why (the message names the file and line). */
    public record Broken(Path file, Origin origin, String message) {
    }

    private final Map<String, Entry> profiles;
    private final List<Broken> broken;

    private ProfileCatalog(Map<String, Entry> profiles, List<Broken> broken) {
        this.profiles = profiles;
        this.broken = List.copyOf(broken);
    }

    /**
     * @param shipped the shipped profiles' directory (null or missing: none)
     * @param root    the host, whose {@value #INSTALLED} is read through its chroot-like view
     */
    public static ProfileCatalog load(Path shipped, HostRoot root) {
        Map<String, Entry> out = new TreeMap<>();
        List<Broken> broken = new ArrayList<>();
        if (shipped != null && Files.isDirectory(shipped)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(shipped, "*.json")) {
                List<Path> files = new ArrayList<>();
                ds.forEach(files::add);
                files.sort(null);
                for (Path f : files) {
                    if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) continue;
                    try {
                        Profile p = ProfileParser.parse(f, Files.readAllBytes(f));
                        out.put(p.id(), new Entry(p, Origin.SHIPPED));
                    } catch (ProfileException e) {
                        broken.add(new Broken(f, Origin.SHIPPED, e.getMessage()));
                    }
                }
            } catch (IOException e) {
                broken.add(new Broken(shipped, Origin.SHIPPED, shipped + ": cannot be listed: " + e.getMessage()));
            }
        }
        if (root != null) {
            try {
                for (String name : root.list(INSTALLED).stream().sorted().toList()) {
                    if (!name.endsWith(".json")) continue;
                    String rel = INSTALLED + "/" + name;
                    Path shown = root.path().resolve(rel);
                    try {
                        Optional<byte[]> bytes = root.readBytes(rel);
                        if (bytes.isEmpty()) continue;
                        Profile p = ProfileParser.parse(shown, bytes.get());
                        out.put(p.id(), new Entry(p, Origin.INSTALLED));
                    } catch (ProfileException e) {
                        broken.add(new Broken(shown, Origin.INSTALLED, e.getMessage()));
                    } catch (UnreadableFileException e) {
                        broken.add(new Broken(shown, Origin.INSTALLED, shown + ": cannot be read: " + e.getMessage()));
                    }
                }
            } catch (UnreadableFileException e) {
                broken.add(new Broken(root.path().resolve(INSTALLED), Origin.INSTALLED, e.getMessage()));
            }
        }
        return new ProfileCatalog(out, broken);
    }

    public static ProfileCatalog of(List<Profile> profiles) {
        Map<String, Entry> out = new TreeMap<>();
        for (Profile p : profiles) out.put(p.id(), new Entry(p, Origin.SHIPPED));
        return new ProfileCatalog(out, List.of());
    }

    /** The shipped profiles' directory: system property passthrough.profiles (the launcher sets it to the bundle's). */
    public static Path shippedDirectory() {
        String p = System.getProperty("passthrough.profiles");
        return p == null || p.isBlank() ? null : Path.of(p);
    }

    public List<Entry> entries() {
        return List.copyOf(profiles.values());
    }

    public List<Profile> profiles() {
        return profiles.values().stream().map(Entry::profile).toList();
    }

    public Optional<Entry> entry(String id) {
        return Optional.ofNullable(profiles.get(id));
    }

    public Optional<Profile> profile(String id) {
        return entry(id).map(Entry::profile);
    }

    public List<Broken> broken() {
        return broken;
    }

    /**
     * The profiles that would match some host equally with {@code candidate}: same os-release ID, overlapping
     * version ranges, both naming on-disk evidence or both none, and evidence some host could satisfy for both
     * (a path one needs present and the other absent, or disjoint VARIANT_IDs, tell them apart; a profile of the same
     * id is not a conflict: it is replaced). Install refuses on these, so
     * plan never meets two equal answers.
     */
    public List<Profile> conflictsWith(Profile candidate) {
        List<Profile> out = new ArrayList<>();
        for (Profile p : profiles()) {
            if (p.id().equals(candidate.id())) continue;
            if (overlap(p.match(), candidate.match())) out.add(p);
        }
        return out;
    }

    static boolean overlap(Profile.Match a, Profile.Match b) {
        if (!a.id().equals(b.id())) return false;
        // one with on-disk evidence and one without never tie: the evidence wins where it holds
        if (a.hasEvidence() != b.hasEvidence() || !a.evidenceCompatible(b)) return false;
        VersionRange x = a.versions() == null ? new VersionRange(null, null) : a.versions();
        VersionRange y = b.versions() == null ? new VersionRange(null, null) : b.versions();
        return x.overlaps(y);
    }
}
