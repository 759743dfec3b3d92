package passthrough.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole card, not only the whole group (sample host amd-split-card): the Radeon's HDMI audio is alone in the group
 * after the GPU's and goes with it on --with-siblings; the APU's audio shares its group with the chipset's SATA
 * controller and is never taken, and the plan says why. Before, the plan said nothing about either.
 */
class WholeCardTest {
    static final String HOST = "amd-split-card";

    static JsonNode plan(String... extra) {
        List<String> args = new ArrayList<>(List.of("--root", Cli.sample(HOST).toString(), "plan", "--json"));
        args.addAll(List.of(extra));
        return Cli.run(args.toArray(String[]::new)).exits(0).json();
    }

    static List<String> reserved(JsonNode plan) {
        List<String> out = new ArrayList<>();
        plan.get("reserved").forEach(d -> out.add(d.get("address").asText()));
        return out;
    }

    static JsonNode function(JsonNode plan, String address) {
        for (JsonNode f : plan.get("card")) if (f.get("address").asText().equals(address)) return f;
        throw new AssertionError(address + " not in the card: " + plan.get("card").toPrettyString());
    }

    @Test
    void withoutTheFlagTheAudioInTheNextGroupIsShownAndTheWayToTakeItSaid() {
        JsonNode p = plan("--device", "05:00.0");
        assertEquals(List.of("0000:05:00.0"), reserved(p));
        assertEquals(2, p.get("card").size());
        assertFalse(function(p, "0000:05:00.1").get("reserved").asBoolean());
        assertEquals(16, function(p, "0000:05:00.1").get("group").asInt());
        JsonNode f = Cli.finding(p, "CARD_FUNCTION_ELSEWHERE");
        assertTrue(f.get("message").asText().contains("05:00.1") && f.get("fix").asText().contains("--with-siblings"), f.toString());
        // the text output lists every function of the card
        String text = Cli.run("--root", Cli.sample(HOST).toString(), "plan", "--device", "05:00.0").exits(0).out();
        assertTrue(text.contains("Functions of the card:") && text.contains("0000:05:00.1 Audio device"), text);
    }

    @Test
    void withSiblingsTheWholeCardIsReservedAcrossBothGroups() {
        JsonNode p = plan("--device", "05:00.0", "--with-siblings");
        assertEquals(List.of("0000:05:00.0", "0000:05:00.1"), reserved(p));
        assertEquals("[15,16]", p.get("iommuGroups").toString());
        assertTrue(p.get("kernelParameters").asText().endsWith("vfio-pci.ids=1002:73bf,1002:ab28"), p.get("kernelParameters").asText());
        assertTrue(function(p, "0000:05:00.1").get("reserved").asBoolean());
    }

    @Test
    void theApusAudioSharingAGroupWithTheChipsetIsNeverTakenAndTheReasonNamesTheDevice() {
        JsonNode p = plan("--device", "0a:00.0", "--with-siblings", "--allow-boot-gpu");
        assertEquals(List.of("0000:0a:00.0"), reserved(p));
        JsonNode audio = function(p, "0000:0a:00.1");
        assertFalse(audio.get("reserved").asBoolean());
        assertTrue(audio.get("why").asText().contains("0b:00.0 SATA controller"), audio.toString());
        assertTrue(Cli.finding(p, "CARD_FUNCTION_LEFT").get("message").asText().contains("which the host would lose"));
    }

    @Test
    void verifyWithSiblingsChecksBothGroups(@TempDir Path tmp) throws Exception {
        Path root = Cli.copyTree(Cli.sample(HOST), tmp.resolve("host"));
        Cli.run("--root", root.toString(), "apply", "--device", "05:00.0", "--with-siblings", "--yes", "--no-commands").exits(0);
        // the reboot, as far as the GPU goes: 05:00.0 on vfio-pci with its node; the audio still on snd_hda_intel
        Files.createDirectories(root.resolve("sys/bus/pci/drivers/vfio-pci"));
        rebind(root, "0000:05:00.0", "vfio-pci");
        Files.createDirectories(root.resolve("dev/vfio"));
        Files.createFile(root.resolve("dev/vfio/15"));
        JsonNode half = Cli.run("--root", root.toString(), "verify", "--device", "05:00.0", "--with-siblings", "--json")
                .exits(1).json();
        assertTrue(half.toString().contains("snd_hda_intel holds 0000:05:00.1"), half.toPrettyString());
        // without the flag the audio is not checked, and that is said
        JsonNode narrow = Cli.run("--root", root.toString(), "verify", "--device", "05:00.0", "--json").exits(0).json();
        assertTrue(Cli.codes(narrow).contains("CARD_FUNCTION_ELSEWHERE"), narrow.toPrettyString());
        rebind(root, "0000:05:00.1", "vfio-pci");
        Files.createFile(root.resolve("dev/vfio/16"));
        Cli.run("--root", root.toString(), "verify", "--device", "05:00.0", "--with-siblings").exits(0);
    }

    static void rebind(Path root, String address, String driver) throws Exception {
        Path link = root.resolve("sys/bus/pci/devices/" + address + "/driver");
        String target = Files.readSymbolicLink(link).toString();
        Files.delete(link);
        Files.createSymbolicLink(link, Path.of(target.substring(0, target.lastIndexOf('/') + 1) + driver));
    }
}
