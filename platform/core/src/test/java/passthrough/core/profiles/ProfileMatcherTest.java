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
        "fedora-40, fedora, EXACT",
        "rhel-9.4, rhel-9, EXACT",
        "rocky-9.4, rocky-9, EXACT",
        "almalinux-9.4, almalinux-9, EXACT",
        "arch, arch, EXACT",
        "manjaro, manjaro, EXACT",
        "endeavouros, endeavouros, EXACT",
        "pop-22.04, pop-os-22.04, EXACT",
    })
    void eachDistributionGetsItsProfile(String osRelease, String profile, ProfileChoice.How how) throws Exception {
        ProfileChoice c = ProfileMatcher.choose(shipped(), os(osRelease));
        assertEquals(profile, c.id(), c.reason());
        assertEquals(how, c.how(), c.reason());
        if (how != ProfileChoice.How.EXACT) assertTrue(c.reason().contains("--profile ID"), c.reason());
    }

    @ParameterizedTest
    @CsvSource({"void"})
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

    /** The host's files for the evidence: exactly these paths exist. */
    static java.util.function.Predicate<String> onDisk(String... paths) {
        return List.of(paths)::contains;
    }

    @ParameterizedTest
    @CsvSource({
        // os-release, paths on disk (| between), profile, evidence the reason names
        "debian-12, usr/bin/pveversion, proxmox-ve-8, usr/bin/pveversion present",
        "debian-11, usr/bin/pveversion, proxmox-ve-7, usr/bin/pveversion present",
        "debian-13, usr/bin/pveversion, proxmox-ve-9, usr/bin/pveversion present",
        "debian-12, usr/bin/pveversion|etc/kernel/postinst.d/zz-systemd-boot, proxmox-ve-8, usr/bin/pveversion present",
        "debian-12, etc/kernel/postinst.d/zz-systemd-boot, debian-systemd-boot, etc/kernel/postinst.d/zz-systemd-boot present",
        "debian-13, etc/kernel/postinst.d/zz-systemd-boot, debian-systemd-boot, usr/bin/pveversion absent",
        "fedora-silverblue-40, run/ostree-booted, fedora-atomic, run/ostree-booted present",
        "fedora-40, etc/fstab, fedora, run/ostree-booted absent",
    })
    void onDiskEvidenceTellsTwoSetUpsOfOneIdApart(String osRelease, String paths, String profile, String evidence)
            throws Exception {
        ProfileChoice c = ProfileMatcher.choose(shipped(), os(osRelease), onDisk(paths.split("\\|")));
        assertEquals(profile, c.id(), c.reason());
        assertEquals(ProfileChoice.How.EXACT, c.how(), c.reason());
        assertTrue(c.reason().contains("on disk: ") && c.reason().contains(evidence), c.reason());
    }

    @Test
    void aPlainDebianSaysWhyItIsNotProxmox() throws Exception {
        ProfileChoice c = ProfileMatcher.choose(shipped(), os("debian-12"), onDisk());
        assertEquals("debian-12", c.id(), c.reason());
        assertTrue(c.reason().contains("not proxmox-ve-8 (usr/bin/pveversion absent)"), c.reason());
        assertTrue(c.reason().contains("not debian-systemd-boot (etc/kernel/postinst.d/zz-systemd-boot absent)"), c.reason());
        // a Proxmox host: debian-12 is named as the profile without evidence it outranks
        ProfileChoice pve = ProfileMatcher.choose(shipped(), os("debian-12"), onDisk("usr/bin/pveversion"));
        assertTrue(pve.reason().contains("not debian-12, which names no evidence on disk"), pve.reason());
    }

    @Test
    void evidenceAlsoNarrowsTheClosestVersion() throws Exception {
        // Proxmox VE on a Debian the profiles do not know yet (sid): the closest Proxmox profile, not debian-13
        ProfileChoice c = ProfileMatcher.choose(shipped(), os("debian-sid"), onDisk("usr/bin/pveversion"));
        assertEquals(ProfileChoice.How.CLOSEST_VERSION, c.how(), c.reason());
        assertTrue(c.id().startsWith("proxmox-ve-"), c.reason());
        assertTrue(c.reason().contains("usr/bin/pveversion present"), c.reason());
    }

    @Test
    void twoProfilesWhoseEvidenceBothHoldsAreRefusedNamingBothAndTheEvidence() throws Exception {
        List<Profile> all = new ArrayList<>(shipped().profiles());
        Profile twin = ProfileParser.parse(Path.of("/etc/passthrough/profiles/my-pve.json"), ProfileParserTest.GOOD
                .replace("test-1", "my-pve").replace("\"id\": \"test\"", "\"id\": \"debian\"")
                .replace("\"from\": \"1\", \"before\": \"2\"}", "\"from\": \"12\"}, \"whenPresent\": [\"usr/sbin/proxmox-boot-tool\"]")
                .getBytes(StandardCharsets.UTF_8));
        all.add(twin);
        ProfileCatalog catalog = ProfileCatalog.of(all);
        String m = assertThrows(ProfileMatcher.AmbiguousProfilesException.class, () -> ProfileMatcher.choose(catalog,
                os("debian-12"), onDisk("usr/bin/pveversion", "usr/sbin/proxmox-boot-tool"))).getMessage();
        assertTrue(m.contains("proxmox-ve-8") && m.contains("my-pve") && m.contains("usr/bin/pveversion present")
                && m.contains("usr/sbin/proxmox-boot-tool present") && m.contains("--profile ID"), m);
        // only one of the two pieces of evidence on disk: no tie
        assertEquals("my-pve", ProfileMatcher.choose(catalog, os("debian-12"), onDisk("usr/sbin/proxmox-boot-tool")).id());
        // install-time check: both name evidence some host can satisfy together
        assertTrue(catalog.conflictsWith(twin).stream().map(Profile::id).toList().containsAll(List.of("proxmox-ve-8", "proxmox-ve-9")),
                catalog.conflictsWith(twin).toString());
        assertTrue(catalog.conflictsWith(twin).stream().noneMatch(p -> p.id().equals("debian-12")));
    }

    @Test
    void profilesTheEvidenceTellsApartAreNoConflict() throws Exception {
        ProfileCatalog shipped = shipped();
        for (Profile p : shipped.profiles()) {
            assertEquals(List.of(), shipped.conflictsWith(p).stream().map(Profile::id).toList(), p.id());
        }
    }

    @Test
    void variantIdIsEvidence() throws Exception {
        Profile kinoite = ProfileParser.parse(Path.of("/p/my-atomic.json"), ProfileParserTest.GOOD.replace("test-1", "my-atomic")
                .replace("\"id\": \"test\"", "\"id\": \"fedora\"").replace("\"from\": \"1\", \"before\": \"2\"}",
                        "\"from\": \"38\"}, \"variants\": [\"kinoite\", \"silverblue\"]").getBytes(StandardCharsets.UTF_8));
        List<Profile> all = new ArrayList<>(shipped().profiles().stream().filter(p -> !p.id().equals("fedora-atomic")).toList());
        all.add(kinoite);
        // fedora's evidence (run/ostree-booted absent) holds too: two profiles with evidence, refused
        String m = assertThrows(ProfileMatcher.AmbiguousProfilesException.class, () -> ProfileMatcher.choose(
                ProfileCatalog.of(all), os("fedora-silverblue-40"), onDisk("etc/fstab"))).getMessage();
        assertTrue(m.contains("VARIANT_ID=silverblue") && m.contains("run/ostree-booted absent"), m);
        all.removeIf(p -> p.id().equals("fedora"));
        ProfileChoice v = ProfileMatcher.choose(ProfileCatalog.of(all), os("fedora-silverblue-40"), onDisk());
        assertEquals("my-atomic", v.id(), v.reason());
        assertTrue(v.reason().contains("VARIANT_ID=silverblue"), v.reason());
        ProfileChoice ws = ProfileMatcher.choose(ProfileCatalog.of(all), os("fedora-40"), onDisk());
        assertEquals(ProfileChoice.How.NONE, ws.how(), ws.reason());
    }

    @Test
    void aGlobInTheLastPartMatchesAnyName(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Files.createDirectories(tmp.resolve("boot/loader/entries"));
        Files.writeString(tmp.resolve("boot/loader/entries/ostree-1-fedora.conf"), "title x\n");
        var exists = ProfileMatcher.onDisk(passthrough.core.host.HostRoot.ofTree(tmp));
        assertTrue(exists.test("boot/loader/entries/ostree-*.conf"));
        assertTrue(!exists.test("boot/loader/entries/fedora-*.conf"));
        assertTrue(exists.test("boot/loader/entries"));
        assertTrue(!exists.test("run/ostree-booted"));
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
