package passthrough.core.profiles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import passthrough.api.OsRelease;
import passthrough.core.host.OsReleaseParser;

/** Detection on the real os-release files of each distribution (test resources os-release/). */
class ProfileMatcherTest {

    static ProfileCatalog shipped() throws IOException {
        List<Profile> out = new ArrayList<>();
        try (var files = Files.list(Path.of("../../distro-profiles/profiles"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).toList()) {
                try {
                    out.add(ProfileParser.parse(f, Files.readAllBytes(f)));
                } catch (ProfileException e) {
                    throw new AssertionError(e.getMessage(), e);
                }
            }
        }
        return ProfileCatalog.of(out);
    }

    static OsRelease os(String name) throws IOException {
        try (InputStream in = ProfileMatcherTest.class.getResourceAsStream("/os-release/" + name)) {
            return OsReleaseParser.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @ParameterizedTest
    @CsvSource({
        "debian-11, debian-11, EXACT",
        "debian-12, debian-12, EXACT",
        "debian-13, debian-13, EXACT",
        "debian-sid, debian-13, CLOSEST_VERSION",
        "ubuntu-18.04, ubuntu-18.04, EXACT",
        "ubuntu-20.04, ubuntu-20.04, EXACT",
        "ubuntu-22.04, ubuntu-22.04, EXACT",
        "ubuntu-24.04, ubuntu-24.04, EXACT",
        "ubuntu-25.04, ubuntu-24.04, CLOSEST_VERSION",
        "lfs-12.2, lfs-12.2, EXACT",
        "linuxmint-21.3, ubuntu-24.04, CLOSEST_ID_LIKE",
    })
    void eachDistributionGetsItsProfile(String osRelease, String profile, ProfileChoice.How how) throws Exception {
        ProfileChoice c = ProfileMatcher.choose(shipped(), os(osRelease));
        assertEquals(profile, c.id(), c.reason());
        assertEquals(how, c.how(), c.reason());
        if (how != ProfileChoice.How.EXACT) assertTrue(c.reason().contains("--profile ID"), c.reason());
    }

    @ParameterizedTest
    @CsvSource({"fedora-40", "arch", "manjaro"})
    void aDistributionWithoutAProfileIsToldHowToWriteOne(String osRelease) throws Exception {
        ProfileChoice c = ProfileMatcher.choose(shipped(), os(osRelease));
        assertEquals(ProfileChoice.How.NONE, c.how());
        assertTrue(c.reason().contains("docs/profiles.md") && c.reason().contains("profiles install"), c.reason());
    }

    @Test
    void twoProfilesMatchingEquallyAreRefusedNamingBoth() throws Exception {
        List<Profile> all = new ArrayList<>(shipped().profiles());
        Profile twin = ProfileParser.parse(Path.of("/etc/passthrough/profiles/my-debian.json"), ProfileParserTest.GOOD
                .replace("test-1", "my-debian").replace("\"id\": \"test\"", "\"id\": \"debian\"")
                .replace("\"from\": \"1\", \"before\": \"2\"", "\"from\": \"12.5\"").getBytes(StandardCharsets.UTF_8));
        all.add(twin);
        ProfileCatalog catalog = ProfileCatalog.of(all);
        String m = assertThrows(ProfileMatcher.AmbiguousProfilesException.class,
                () -> ProfileMatcher.choose(catalog, os("debian-13"))).getMessage();
        assertTrue(m.contains("debian-13") && m.contains("my-debian") && m.contains("--profile"), m);
        assertEquals(List.of("debian-12", "debian-13"), catalog.conflictsWith(twin).stream().map(Profile::id).toList());
        // debian 12 itself is below 12.5: only debian-12 matches it
        assertEquals("debian-12", ProfileMatcher.choose(ProfileCatalog.of(all), os("debian-12")).id());
    }

    @Test
    void versionsCompareAsDottedNumbers() {
        assertTrue(VersionRange.compare("22.04", "22.10") < 0);
        assertTrue(VersionRange.compare("12", "12.2") < 0);
        assertTrue(VersionRange.compare("9", "10") < 0);
        assertTrue(new VersionRange("18.04", "18.10").contains("18.04"));
        assertTrue(!new VersionRange("18.04", "18.10").contains("18.10"));
        assertTrue(!new VersionRange("18.04", "18.10").contains(""));
        assertTrue(new VersionRange("1", "2").overlaps(new VersionRange("1.5", null)));
        assertTrue(!new VersionRange("1", "2").overlaps(new VersionRange("2", "3")));
    }

    @Test
    void theOverrideIsSaidAsSuch() throws Exception {
        ProfileChoice c = ProfileMatcher.override(shipped(), "lfs-12.2", os("fedora-40")).orElseThrow();
        assertEquals(ProfileChoice.How.OVERRIDE, c.how());
        assertTrue(c.reason().contains("--profile") && c.reason().contains("ID=fedora"), c.reason());
        assertTrue(ProfileMatcher.override(shipped(), "nope", os("fedora-40")).isEmpty());
    }
}
