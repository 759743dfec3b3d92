package passthrough.plugin.systemdbootentries;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DefaultEntryTest {

    /** systemd's own src/test/test-bootspec.c "bootspec_sort" entries and the order it expects. */
    static final Map<String, String> SYSTEMD_SORT_TEST = Map.of(
            "a-10.conf", "title A\nversion 10\nmachine-id dd235d00696545768f6f693bfd23b15f\nlinux /a\n",
            "a-5.conf", "title A\nversion 5\nmachine-id dd235d00696545768f6f693bfd23b15f\nlinux /a\n",
            "b.conf", "title B\nversion 3\nmachine-id b75451ad92f94feeab50b0b442768dbd\nlinux /b\n",
            "c.conf", "title C\nsort-key xxxx\nversion 5\nmachine-id 309de666fd5044268a9a26541ac93176\nlinux /c\n",
            "cx.conf", "title C\nsort-key xxxx\nversion 10\nmachine-id 309de666fd5044268a9a26541ac93176\nlinux /c\n",
            "d.conf", "title D\nsort-key kkkk\nversion 100\nmachine-id 81c6e3147cf544c19006af023e22b292\nlinux /d\n");

    static List<LoaderEntryFile> entries(Map<String, String> byName) {
        return byName.entrySet().stream().map(e -> LoaderEntryFile.of("efi/loader/entries/" + e.getKey(), e.getValue())).toList();
    }

    static List<String> ids(List<LoaderEntryFile> entries) {
        return entries.stream().map(LoaderEntryFile::id).toList();
    }

    @Test
    void menuOrderIsTheSpecificationsAsSystemdTestsIt() {
        assertEquals(List.of("d.conf", "cx.conf", "c.conf", "b.conf", "a-10.conf", "a-5.conf"),
                ids(DefaultEntry.menuOrder(entries(SYSTEMD_SORT_TEST))));
    }

    @Test
    void withoutSortKeyTheNewestNameComesFirstAndSpentBootCountersLast() {
        Map<String, String> kernels = Map.of(
                "arch-6.9.conf", "linux /a\n", "arch-6.10.conf", "linux /a\n", "arch-6.10.1+0-3.conf", "linux /a\n");
        assertEquals(List.of("arch-6.10.conf", "arch-6.9.conf", "arch-6.10.1.conf"), ids(DefaultEntry.menuOrder(entries(kernels))));
    }

    @Test
    void theDefaultIsTheFirstMatchOfTheGlobElseTheFirstEntry() {
        List<LoaderEntryFile> all = entries(SYSTEMD_SORT_TEST);
        assertEquals("a-10.conf", DefaultEntry.of(all, Optional.of(new LoaderConf("efi/loader/loader.conf", "a-*"))).orElseThrow().entry().id());
        assertEquals("a-5.conf", DefaultEntry.of(all, Optional.of(new LoaderConf("efi/loader/loader.conf", "a-5"))).orElseThrow().entry().id());
        DefaultEntry none = DefaultEntry.of(all, Optional.of(new LoaderConf("efi/loader/loader.conf", "zzz*"))).orElseThrow();
        assertEquals("d.conf", none.entry().id());
        assertTrue(none.why().contains("matches no entry"), none.why());
        assertEquals("d.conf", DefaultEntry.of(all, Optional.of(new LoaderConf("efi/loader/loader.conf", "@saved"))).orElseThrow().entry().id());
        assertEquals("d.conf", DefaultEntry.of(all, Optional.empty()).orElseThrow().entry().id());
    }

    @Test
    void loaderConfTakesTheLastDefaultAndSkipsComments() {
        LoaderConf conf = LoaderConf.of(Map.of("boot/loader/loader.conf", "# default x\ndefault a\ntimeout 3\ndefault  b*.conf \n")).orElseThrow();
        assertEquals("b*.conf", conf.pattern());
        assertEquals("boot/loader/loader.conf", conf.path());
    }

    @Test
    void versionOrder() {
        assertTrue(VersionOrder.compare("6.10", "6.9") > 0);
        assertTrue(VersionOrder.compare("6.1.0-27-amd64", "6.1.0-3-amd64") > 0);
        assertTrue(VersionOrder.compare("1.0~rc1", "1.0") < 0);
        assertTrue(VersionOrder.compare("1.0", "1.0a") < 0);
        assertTrue(VersionOrder.compare("1.01", "1.1") == 0);
        assertTrue(VersionOrder.compare("2", "a") > 0);
    }

    @Test
    void globIsFnmatch() {
        assertTrue(Glob.matches("arch*", "arch-lts.conf"));
        assertTrue(Glob.matches("a-?.conf", "a-5.conf"));
        assertFalse(Glob.matches("a-?.conf", "a-10.conf"));
        assertTrue(Glob.matches("[a-c]x.conf", "cx.conf"));
        assertTrue(Glob.matches("\\*.conf", "*.conf"));
        assertFalse(Glob.matches("arch.conf", "arch-lts.conf"));
    }
}
