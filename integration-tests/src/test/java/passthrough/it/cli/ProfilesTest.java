package passthrough.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import passthrough.core.plugins.PluginDirectory;
import passthrough.core.plugins.PluginRegistry;
import passthrough.core.profiles.Profile;
import passthrough.core.profiles.ProfileParser;
import passthrough.core.profiles.ProfiledPlugins;

/** Distribution profiles through the real CLI: detection, plugin choice, refusals and the profiles commands. */
class ProfilesTest {
    @TempDir
    Path tmp;

    static List<Path> shippedFiles() throws Exception {
        try (Stream<Path> s = Files.list(Cli.repo().resolve("distro-profiles/profiles"))) {
            return s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
    }

    static List<String> codes(JsonNode doc) {
        List<String> out = new ArrayList<>();
        doc.get("findings").forEach(f -> out.add(f.get("code").asText()));
        return out;
    }

    static String message(JsonNode doc, String code) {
        for (JsonNode f : doc.get("findings")) if (f.get("code").asText().equals(code)) return f.get("message").asText();
        throw new AssertionError(code + " not in " + doc.get("findings").toPrettyString());
    }

    @Test
    void everyShippedProfileResolvesToTheLoadedFirstPartyPlugins() throws Exception {
        List<Path> files = shippedFiles();
        assertEquals(List.of("almalinux-9", "arch", "debian-11", "debian-12", "debian-13", "debian-systemd-boot", "endeavouros",
                "fedora-atomic", "fedora", "lfs-12.2", "manjaro", "pop-os-22.04", "proxmox-ve-7", "proxmox-ve-8", "proxmox-ve-9",
                "rhel-9", "rocky-9", "ubuntu-18.04", "ubuntu-20.04", "ubuntu-22.04", "ubuntu-24.04"),
                files.stream().map(ProfileParser::idOf).toList());
        try (PluginRegistry registry = PluginRegistry.loadFrom(List.of(PluginDirectory.firstParty(
                Path.of(System.getProperty("passthrough.plugins")))))) {
            assertEquals(List.of(), registry.problems());
            for (Path f : files) {
                Profile p = ProfileParser.parse(f, Files.readAllBytes(f));
                assertEquals(List.of(), ProfiledPlugins.problems(p, registry), f.toString());
            }
        }
    }

    /** Every sample host: check names its profile, and plan names it and the plugins it chose and why. */
    @ParameterizedTest
    @CsvSource({
        "seed1-ubuntu-18.04, ubuntu-18.04, 65:00.0, grub-debian, initramfs-tools",
        "seed2-lfs-12.2, lfs-12.2, 82:00.0, grub-lfs, lfs-sysconfig",
        "amd-shared-group, ubuntu-22.04, 04:00.0, grub-debian, initramfs-tools",
        "intel-iommu-off, debian-12, 01:00.0, grub-debian, initramfs-tools",
        "amd-split-card, ubuntu-22.04, 05:00.0, grub-debian, initramfs-tools",
        "intel-vmd-laptop, debian-12, 01:00.0, grub-debian, initramfs-tools",
        "seed2-p10-lfs-12.2, lfs-12.2, 05:00.0, grub-lfs, lfs-sysconfig",
    })
    void everySampleHostNamesItsProfile(String host, String profile, String gpu, String writer, String loader) {
        String root = Cli.sample(host).toString();
        JsonNode check = Cli.run("--root", root, "check", "--json").json();
        assertEquals(profile, check.get("profile").get("id").asText(), check.get("profile").toString());
        assertEquals("exact", check.get("profile").get("how").asText());
        assertTrue(Cli.run("--root", root, "check").out().contains("profile    " + profile + " (exact)"));
        JsonNode plan = Cli.run("--root", root, "plan", "--device", gpu, "--allow-shared-group", "--allow-boot-gpu",
                "--json").exits(0).json();
        assertTrue(message(plan, "PROFILE").startsWith("profile " + profile + ": "), plan.get("findings").toString());
        assertTrue(message(plan, "BOOTLOADER_WRITER").contains("profile " + profile + " lists " + writer), plan.toString());
        if (codes(plan).contains("EARLY_MODULE_LOADER")) {
            assertTrue(message(plan, "EARLY_MODULE_LOADER").contains(loader), plan.toString());
        }
        for (JsonNode f : plan.get("files")) {
            String p = f.get("plugin").asText();
            assertFalse(List.of("grub-debian", "grub-lfs").contains(p) && !p.equals(writer), f.toString());
            assertFalse(List.of("initramfs-tools", "lfs-sysconfig").contains(p) && !p.equals(loader), f.toString());
        }
    }

    @Test
    void aFedoraLikeRootIsNotClaimedByDebiansWriterOrByALeftoverInitramfsToolsFile() throws Exception {
        Path root = Cli.copyTree(Cli.sample("seed1-ubuntu-18.04"), tmp.resolve("fedora"));
        Files.writeString(root.resolve("etc/os-release"), "NAME=\"Fedora Linux\"\nVERSION=\"40 (Workstation Edition)\"\n"
                + "ID=fedora\nVERSION_ID=40\nPRETTY_NAME=\"Fedora Linux 40 (Workstation Edition)\"\n");
        Files.writeString(root.resolve("etc/default/grub"), "GRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX=\"rhgb quiet intel_iommu=on\"\n"
                + "GRUB_ENABLE_BLSCFG=true\n");
        Files.createDirectories(root.resolve("boot/loader/entries"));
        Files.writeString(root.resolve("boot/loader/entries/f40.conf"), "title Fedora Linux 40\nversion 6.8.5-301.fc40.x86_64\n"
                + "linux /vmlinuz-6.8.5-301.fc40.x86_64\ninitrd /initramfs-6.8.5-301.fc40.x86_64.img\noptions root=UUID=1 ro rhgb\n");
        Files.delete(root.resolve("usr/sbin/update-grub"));
        Files.move(root.resolve("usr/sbin/update-initramfs"), root.resolve("usr/sbin/dracut"));
        Files.createDirectories(root.resolve("etc/initramfs-tools"));
        Files.writeString(root.resolve("etc/initramfs-tools/modules"), "# left over from an old install\n");

        JsonNode check = Cli.run("--root", root.toString(), "check", "--json").json();
        assertEquals("exact", check.get("profile").get("how").asText());
        assertEquals("fedora", check.get("profile").get("id").asText());
        // the fedora profile's writer is grubby, which is not installed here: a refusal naming it, never grub-debian
        Cli.Result plan = Cli.run("--root", root.toString(), "plan", "--device", "65:00.0").exits(3);
        assertTrue(plan.err().contains("profile fedora") && plan.err().contains("grubby does not manage it"), plan.err());
        assertFalse(plan.out().contains("etc/default/grub"), "grub-debian must not plan an edit the BLS boot would not see");
        // the writer the user names must manage the host: grub-debian does not with BLS on
        Cli.Result forced = Cli.run("--root", root.toString(), "plan", "--device", "65:00.0", "--bootloader", "grub-debian").exits(3);
        assertTrue(forced.err().contains("grub-debian (chosen with --bootloader) does not manage this host's set-up"), forced.err());
    }

    @Test
    void twoClaimantsWithoutAProfileAreRefusedNamingBothAndTheFlagChooses() throws Exception {
        Path root = Cli.copyTree(Cli.sample("seed2-lfs-12.2"), tmp.resolve("lfs"));
        Files.delete(root.resolve("etc/os-release"));
        Files.createDirectories(root.resolve("etc/default"));
        Files.writeString(root.resolve("etc/default/grub"), "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n");
        Cli.Result refused = Cli.run("--root", root.toString(), "plan", "--device", "82:00.0").exits(3);
        assertTrue(refused.err().contains("grub-debian and grub-lfs both manage this host's bootloader writer")
                && refused.err().contains("--bootloader grub-debian or --bootloader grub-lfs"), refused.err());
        JsonNode plan = Cli.run("--root", root.toString(), "plan", "--device", "82:00.0", "--bootloader", "grub-lfs",
                "--json").exits(0).json();
        assertTrue(message(plan, "BOOTLOADER_WRITER").contains("grub-lfs chosen with --bootloader"), plan.toString());
        assertTrue(codes(plan).contains("NO_PROFILE"));
        // the LFS profile says which: no flag needed
        Cli.run("--root", root.toString(), "--profile", "lfs-12.2", "plan", "--device", "82:00.0").exits(0);
    }

    @Test
    void aProfileWhosePluginDoesNotManageTheHostIsAClearRefusal() {
        Cli.Result r = Cli.run("--root", Cli.sample("seed1-ubuntu-18.04").toString(), "--profile", "lfs-12.2", "plan",
                "--device", "65:00.0").exits(3);
        assertTrue(r.err().contains("profile lfs-12.2") && r.err().contains("lfs-12.2.json")
                && r.err().contains("grub-lfs does not manage it (it looks for boot/grub/grub.cfg")
                && r.err().contains("--profile ID") && r.err().contains("--bootloader ID"), r.err());
        Cli.Result unknown = Cli.run("--root", Cli.sample("seed1-ubuntu-18.04").toString(), "--profile", "nope", "check").exits(2);
        assertTrue(unknown.err().contains("--profile nope: no such profile (known: almalinux-9, arch, debian-11"), unknown.err());
    }

    @Test
    void aBrokenOrWrongInstalledProfileIsNamedWithFileLineAndField() throws Exception {
        Path root = Cli.copyTree(Cli.sample("intel-iommu-off"), tmp.resolve("host"));
        Path dir = Files.createDirectories(root.resolve("etc/passthrough/profiles"));
        Files.writeString(dir.resolve("typo.json"), "{\n  \"format\": 1,\n  \"id\": \"typo\",\n  \"nmae\": \"x\"\n}\n");
        String list = Cli.run("--root", root.toString(), "profiles", "list").exits(0).out();
        assertTrue(list.contains("typo.json line 4: field 'nmae': unknown key"), list);
        // an installed profile for this host naming a plugin nobody provides: the plan stops and says where
        String mine = Files.readString(Cli.repo().resolve("distro-profiles/profiles/debian-12.json"))
                .replace("\"id\": \"debian-12\"", "\"id\": \"my-debian\"").replace("\"from\": \"12\"", "\"from\": \"12.99\"")
                .replace("[\"initramfs-tools\"]", "[\"no-such-loader\"]");
        Files.writeString(dir.resolve("my-debian.json"), mine);
        Cli.Result r = Cli.run("--root", root.toString(), "--profile", "my-debian", "plan", "--device", "01:00.0",
                "--allow-boot-gpu").exits(2);
        int line = mine.substring(0, mine.indexOf("[\"no-such-loader\"]")).split("\n", -1).length;
        assertTrue(r.err().contains("my-debian.json line " + line + ": field 'plugins.earlyModuleLoaders[0]': no loaded plugin "
                + "provides \"no-such-loader\""), r.err());
    }

    @Test
    void listShowAndRemove() throws Exception {
        Path root = Cli.copyTree(Cli.sample("seed1-ubuntu-18.04"), tmp.resolve("host"));
        String r = root.toString();
        String list = Cli.run("--root", r, "profiles", "list").exits(0).out();
        assertTrue(list.contains("* ubuntu-18.04") && list.contains("debian-13") && list.contains("shipped"), list);
        JsonNode json = Cli.run("--root", r, "profiles", "list", "--json").exits(0).json();
        assertEquals("profiles list", json.get("command").asText());
        assertEquals("ubuntu-18.04", json.get("host").get("id").asText());
        assertEquals(21, json.get("profiles").size());

        String show = Cli.run("profiles", "show", "ubuntu-18.04").exits(0).out();
        assertTrue(show.contains("security_driver = \"none\"") && show.contains("apt-get install qemu-system-x86"), show);
        JsonNode showJson = Cli.run("profiles", "show", "lfs-12.2", "--json").exits(0).json();
        assertEquals(List.of("grub-lfs"), List.of(showJson.get("plugins").get("bootloaders").get(0).asText()));
        Cli.run("profiles", "show", "nope").exits(2);

        Cli.Result shipped = Cli.run("--root", r, "profiles", "remove", "debian-12").exits(3);
        assertTrue(shipped.err().contains("shipped with passthrough"), shipped.err());
        Path dir = Files.createDirectories(root.resolve("etc/passthrough/profiles"));
        Files.writeString(dir.resolve("acme-1.json"), Files.readString(Cli.repo().resolve("distro-profiles/profiles/debian-12.json"))
                .replace("\"id\": \"debian-12\"", "\"id\": \"acme-1\"").replace("\"id\": \"debian\"", "\"id\": \"acme\""));
        String removed = Cli.run("--root", r, "profiles", "remove", "acme-1").exits(0).out();
        assertTrue(removed.contains("Removed profile acme-1"), removed);
        assertFalse(Files.exists(dir.resolve("acme-1.json")));
        assertTrue(Cli.run("--root", r, "history").exits(0).out().contains("remove profile acme-1"));
        Cli.run("--root", r, "rollback").exits(0);
        assertTrue(Files.exists(dir.resolve("acme-1.json")), "rollback puts the profile back");
        Cli.run("--root", r, "profiles", "remove", "never-was").exits(2);
    }

    @Test
    void helpOfEveryProfilesCommand() {
        for (String c : List.of("list", "show", "install", "remove", "bundle", "keygen")) {
            assertTrue(Cli.run("profiles", c, "--help").exits(0).out().contains("Usage: passthrough profiles " + c), c);
        }
        assertTrue(Cli.run("plan", "--help").exits(0).out().contains("--bootloader"));
        assertTrue(Cli.run("--help").exits(0).out().contains("--profile"));
    }

    /**
     * A profile's settings reach the plugin it chose: a distribution with GRUB defaults but no update-grub (Arch's
     * set-up) names grub-mkconfig; a setting the plugin does not take is refused with the file and line.
     */
    @Test
    void aProfilesSettingReachesThePluginAndAnUnknownSettingIsNamed() throws Exception {
        Path root = Cli.copyTree(Cli.sample("seed1-ubuntu-18.04"), tmp.resolve("host"));
        Path dir = Files.createDirectories(root.resolve("etc/passthrough/profiles"));
        String base = Files.readString(Cli.repo().resolve("distro-profiles/profiles/ubuntu-18.04.json"))
                .replace("\"id\": \"ubuntu-18.04\"", "\"id\": \"mkconfig\"");
        Files.writeString(dir.resolve("mkconfig.json"), base.replace("\"regenerate\": \"update-grub\"",
                "\"regenerate\": \"grub-mkconfig -o /boot/grub/grub.cfg\""));
        JsonNode plan = Cli.run("--root", root.toString(), "--profile", "mkconfig", "plan", "--device", "65:00.0", "--json")
                .exits(0).json();
        List<String> commands = new ArrayList<>();
        plan.get("commands").forEach(c -> commands.add(c.get("argv").toString()));
        assertTrue(commands.contains("[\"grub-mkconfig\",\"-o\",\"/boot/grub/grub.cfg\"]"), commands.toString());

        Files.writeString(dir.resolve("mkconfig.json"), base.replace("\"regenerate\": \"update-grub\"", "\"regen\": \"x\""));
        Cli.Result r = Cli.run("--root", root.toString(), "--profile", "mkconfig", "plan", "--device", "65:00.0").exits(2);
        assertTrue(r.err().contains("mkconfig.json line 24: field 'settings.grub-debian.regen': grub-debian takes no setting "
                + "\"regen\" (it takes: regenerate)"), r.err());
    }
}
