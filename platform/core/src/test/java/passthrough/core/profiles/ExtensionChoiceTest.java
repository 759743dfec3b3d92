package passthrough.core.profiles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ExtensionChoiceTest {
    record Writer(String id, boolean manages) {
    }

    static final Writer DEBIAN = new Writer("grub-debian", true);
    static final Writer LFS = new Writer("grub-lfs", true);
    static final Writer BLS = new Writer("grubby", false);

    static ProfileChoice profile(List<String> bootloaders) {
        Profile p = new Profile("debian-12", "Debian 12", new Profile.Match("debian", null), new Profile.Plugins(List.of(),
                List.of(), bootloaders, List.of(), List.of(), List.of()), Map.of(), null, List.of(), null, List.of(),
                Path.of("/x/debian-12.json"), Map.of());
        return new ProfileChoice(p, ProfileChoice.How.EXACT, "matches");
    }

    static final ProfileChoice NONE = new ProfileChoice(null, ProfileChoice.How.NONE, "none");

    static ExtensionChoice<Writer> choose(List<Writer> loaded, ProfileChoice profile, List<String> order, String flag) {
        return ExtensionChoice.choose("bootloader writer", "--bootloader", loaded, Writer::id, Writer::manages,
                w -> "it looks for etc/x", profile, order, flag);
    }

    @Test
    void twoClaimantsWithoutAProfilesWordIsARefusalNamingBoth() {
        ExtensionChoice<Writer> c = choose(List.of(DEBIAN, LFS), NONE, List.of(), null);
        assertNull(c.chosen());
        assertEquals("AMBIGUOUS_PLUGINS", c.code());
        assertTrue(c.refusal().contains("grub-debian and grub-lfs both manage")
                && c.refusal().contains("--bootloader grub-debian or --bootloader grub-lfs"), c.refusal());
    }

    @Test
    void theProfileOrdersAndManagesConfirms() {
        ExtensionChoice<Writer> c = choose(List.of(LFS, DEBIAN, BLS), profile(List.of("grubby", "grub-debian")),
                List.of("grubby", "grub-debian"), null);
        assertEquals(DEBIAN, c.chosen());
        assertTrue(c.explanation().contains("grubby does not manage this host, grub-debian does"), c.explanation());
    }

    @Test
    void aProfileWhosePluginDoesNotManageTheHostIsAClearMessageNotAFallback() {
        ExtensionChoice<Writer> c = choose(List.of(DEBIAN, BLS), profile(List.of("grubby")), List.of("grubby"), null);
        assertNull(c.chosen());
        assertEquals("PROFILE_PLUGIN_DOES_NOT_MANAGE", c.code());
        assertTrue(c.refusal().contains("/x/debian-12.json") && c.refusal().contains("grubby does not manage it (it looks for etc/x)")
                && c.refusal().contains("--profile ID") && c.refusal().contains("--bootloader ID"), c.refusal());
    }

    @Test
    void theFlagWinsButMustManageTheHost() {
        assertEquals(LFS, choose(List.of(DEBIAN, LFS), profile(List.of("grub-debian")), List.of("grub-debian"), "grub-lfs").chosen());
        ExtensionChoice<Writer> notMine = choose(List.of(DEBIAN, BLS), NONE, List.of(), "grubby");
        assertEquals("PLUGIN_DOES_NOT_MANAGE", notMine.code());
        ExtensionChoice<Writer> unknown = choose(List.of(DEBIAN), NONE, List.of(), "systemd-boot");
        assertEquals("UNKNOWN_PLUGIN", unknown.code());
        assertTrue(unknown.refusal().contains("loaded: grub-debian"), unknown.refusal());
    }

    @Test
    void oneClaimantOrNoneNeedsNoWord() {
        assertEquals(DEBIAN, choose(List.of(DEBIAN, BLS), NONE, List.of(), null).chosen());
        ExtensionChoice<Writer> none = choose(List.of(BLS), NONE, List.of(), null);
        assertTrue(none.none(), none.toString());
        assertEquals(Set.of(), Set.of());
    }
}
