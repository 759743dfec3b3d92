package passthrough.core.profiles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProfileParserTest {
    static final String GOOD = """
            // a comment people keep
            {
              "format": 1,
              "id": "test-1",
              "name": "Test 1",
              "match": {"id": "test", "versions": {"from": "1", "before": "2"}},
              "plugins": {"bootloaders": ["grub-debian"], "earlyModuleLoaders": ["initramfs-tools"],},
              "settings": {"grub-debian": {"regenerate": "update-grub"}},
              "packages": {"install": "apt-get install", "needed": [
                {"name": "qemu-system-x86", "command": "qemu-system-x86_64", "purpose": "run the VM"}]}
            }
            """;

    static Profile parse(String text) throws ProfileException {
        return ProfileParser.parse(Path.of("/p/test-1.json"), text.getBytes(StandardCharsets.UTF_8));
    }

    static String refusal(String text) {
        return assertThrows(ProfileException.class, () -> parse(text)).getMessage();
    }

    @Test
    void readsAProfileWithCommentsAndTrailingCommas() throws Exception {
        Profile p = parse(GOOD);
        assertEquals("test-1", p.id());
        assertEquals(List.of("grub-debian"), p.plugins().bootloaders());
        assertEquals("update-grub", p.settings().get("grub-debian").get("regenerate"));
        assertEquals("/p/test-1.json line 7", p.where("/plugins/bootloaders/0"));
    }

    @Test
    void anUnknownKeyIsNamedWithItsLine() {
        String m = refusal(GOOD.replace("\"bootloaders\"", "\"bootloadrs\""));
        assertTrue(m.startsWith("/p/test-1.json line 7: field 'plugins.bootloadrs': unknown key; known keys here: "), m);
        assertTrue(m.contains("bootloaders"), m);
    }

    @Test
    void aWrongTypeIsNamedWithItsLine() {
        String m = refusal(GOOD.replace("\"name\": \"Test 1\"", "\"name\": 7"));
        assertTrue(m.startsWith("/p/test-1.json line 5: field 'name': "), m);
        String list = refusal(GOOD.replace("[\"grub-debian\"]", "\"grub-debian\""));
        assertTrue(list.startsWith("/p/test-1.json line 7: field 'plugins.bootloaders': "), list);
        String format = refusal(GOOD.replace("\"format\": 1", "\"format\": \"1\""));
        assertTrue(format.startsWith("/p/test-1.json line 3: field 'format': "), format);
    }

    @Test
    void aMissingFieldIsNamed() {
        String m = refusal(GOOD.replace("\"name\": \"Test 1\",", ""));
        assertTrue(m.startsWith("/p/test-1.json line 2: field 'name' is missing"), m);
        String pk = refusal(GOOD.replace("\"purpose\": \"run the VM\"", "\"file\": \"usr/x\""));
        assertTrue(pk.contains("field 'packages.needed[0].purpose' is missing"), pk);
    }

    @Test
    void aSyntaxErrorIsNamedWithItsLine() {
        String m = refusal(GOOD.replace("\"id\": \"test-1\",", "\"id\": \"test-1\""));
        assertTrue(m.startsWith("/p/test-1.json line 5: not valid JSON: "), m);
    }

    @Test
    void theIdMustBeTheFileName() {
        String m = refusal(GOOD.replace("\"id\": \"test-1\"", "\"id\": \"other\""));
        assertTrue(m.startsWith("/p/test-1.json line 4: field 'id': \"other\" but the file is named test-1.json"), m);
    }

    @Test
    void aNewerFormatIsRefusedWithTheWayOut() {
        String m = refusal(GOOD.replace("\"format\": 1", "\"format\": 2"));
        assertTrue(m.contains("version 2 is not known to this passthrough"), m);
    }

    @Test
    void duplicateKeysAndBadPathsAndBadIdsAreRefused() {
        assertTrue(refusal(GOOD.replace("\"name\": \"Test 1\",", "\"name\": \"a\", \"name\": \"b\",")).contains("line 5"));
        String abs = refusal(GOOD.replace("\"command\": \"qemu-system-x86_64\"", "\"file\": \"/usr/share/x\""));
        assertTrue(abs.contains("must be a path relative to the root"), abs);
        String id = refusal(GOOD.replace("[\"grub-debian\"]", "[\"Grub Debian\"]"));
        assertTrue(id.contains("field 'plugins.bootloaders[0]': \"Grub Debian\" is no valid extension id"), id);
        String twice = refusal(GOOD.replace("[\"grub-debian\"]", "[\"grub-debian\", \"grub-debian\"]"));
        assertTrue(twice.contains("is listed twice"), twice);
        String range = refusal(GOOD.replace("\"from\": \"1\", \"before\": \"2\"", "\"from\": \"2\", \"before\": \"1\""));
        assertTrue(range.contains("line 6: field 'match.versions': \"from\" 2 is not below \"before\" 1"), range);
    }

    @Test
    void notUtf8AndEmptyAreRefused() {
        assertThrows(ProfileException.class, () -> ProfileParser.parse(Path.of("x.json"), new byte[] {(byte) 0xff, '{', '}'}));
        assertTrue(refusal("").contains("test-1.json"));
    }

    /** Every shipped profile reads (the plugin ids are checked against the real plugins in integration-tests). */
    @Test
    void everyShippedProfileParses() throws Exception {
        Path dir = Path.of("../../distro-profiles/profiles");
        try (var files = Files.list(dir)) {
            List<Path> all = files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
            assertEquals(21, all.size(), all.toString());
            for (Path f : all) {
                Profile p = ProfileParser.parse(f, Files.readAllBytes(f));
                // a point left open (arch: GRUB and systemd-boot both common) says so in the notes
                boolean saysOpen = p.notes().stream().anyMatch(n -> n.contains("left open"));
                assertTrue(saysOpen || !p.plugins().bootloaders().isEmpty() && !p.plugins().earlyModuleLoaders().isEmpty(),
                        f.toString());
            }
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = ';', value = {
        "\"whenPresent\": [\"/usr/bin/pveversion\"]; match.whenPresent[0]': \"/usr/bin/pveversion\" must be a path relative",
        "\"whenPresent\": [\"usr/../etc/x\"]; match.whenPresent[0]': \"usr/../etc/x\" must be a path relative",
        "\"whenAbsent\": [\"boot/*/entries\"]; match.whenAbsent[0]': \"boot/*/entries\": a '*' may stand only in the last part",
        "\"whenPresent\": []; match.whenPresent': an empty list says nothing",
        "\"whenPresent\": [\"a\", \"a\"]; match.whenPresent[1]': \"a\" is listed twice",
        "\"whenPresent\": [\"run/x\"], \"whenAbsent\": [\"run/x\"]; match.whenAbsent': \"run/x\" is also in whenPresent",
        "\"variants\": [\"silver blue\"]; match.variants[0]': \"silver blue\" is no os-release value",
        "\"variants\": []; match.variants': an empty list matches no host",
        "\"whenPresent\": \"usr/bin/pveversion\"; match.whenPresent'",
    })
    void badMatchEvidenceIsNamedWithItsLine(String evidence, String expected) {
        String m = refusal(GOOD.replace("\"versions\": {\"from\": \"1\", \"before\": \"2\"}}",
                "\"versions\": {\"from\": \"1\", \"before\": \"2\"},\n  " + evidence + "}"));
        assertTrue(m.startsWith("/p/test-1.json line "), m);
        assertTrue(m.contains(expected), m);
    }

    @Test
    void matchEvidenceIsRead() throws Exception {
        Profile p = parse(GOOD.replace("\"versions\": {\"from\": \"1\", \"before\": \"2\"}}",
                "\"versions\": {\"from\": \"1\"}, \"variants\": [\"kinoite\"], \"whenPresent\": [\"usr/bin/pveversion\", "
                        + "\"boot/loader/entries/ostree-*.conf\"], \"whenAbsent\": [\"run/ostree-booted\"]}"));
        assertEquals(List.of("kinoite"), p.match().variants());
        assertEquals(List.of("usr/bin/pveversion", "boot/loader/entries/ostree-*.conf"), p.match().whenPresent());
        assertEquals(List.of("run/ostree-booted"), p.match().whenAbsent());
        assertTrue(p.match().hasEvidence());
        assertTrue(!parse(GOOD).match().hasEvidence());
    }
}
