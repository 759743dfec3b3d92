package passthrough.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `verify` on seed 1 as it is (native drivers) and as it would be after a successful reboot (all on vfio-pci). */
class VerifyCommandTest {

    @Test
    void nativeDriversFailEachNamedWithItsCause() {
        JsonNode r = Cli.run("--root", Cli.sample("seed1-ubuntu-18.04").toString(), "verify", "--device", "65:00.0", "--json")
                .exits(1).json();
        assertEquals(false, r.get("passed").asBoolean());
        assertEquals(34, r.get("group").asInt());
        List<String> failed = new ArrayList<>();
        r.get("findings").forEach(f -> { if (f.get("code").asText().equals("NOT_RESERVED")) failed.add(f.get("message").asText()); });
        assertEquals(4, failed.size(), failed.toString());
        assertTrue(failed.get(1).startsWith("snd_hda_intel holds 0000:65:00.1"), failed.get(1));
        assertTrue(failed.stream().anyMatch(m -> m.startsWith("xhci_hcd holds 0000:65:00.2") && m.contains("built into the kernel")), failed.toString());
        assertTrue(Cli.codes(r).contains("NO_VFIO_NODE"));
    }

    @Test
    void theWholeGroupOnVfioPciWithItsNodePasses(@TempDir Path tmp) throws Exception {
        Path root = Cli.copyTree(Cli.sample("seed1-ubuntu-18.04"), tmp.resolve("host"));
        Files.createDirectories(root.resolve("sys/bus/pci/drivers/vfio-pci"));
        for (String f : List.of("0", "1", "2", "3")) {
            Path link = root.resolve("sys/bus/pci/devices/0000:65:00." + f + "/driver");
            String target = Files.readSymbolicLink(link).toString();
            Files.delete(link);
            Files.createSymbolicLink(link, Path.of(target.substring(0, target.lastIndexOf('/') + 1) + "vfio-pci"));
        }
        Files.createDirectories(root.resolve("dev/vfio"));
        Files.createFile(root.resolve("dev/vfio/34"));
        Cli.Result ok = Cli.run("--root", root.toString(), "verify", "--device", "0000:65:00.0").exits(0);
        assertTrue(ok.out().contains("VERIFIED"), ok.out());
        Files.delete(root.resolve("dev/vfio/34"));
        Cli.Result noNode = Cli.run("--root", root.toString(), "verify", "--device", "65:00.0").exits(1);
        assertTrue(noNode.out().contains("/dev/vfio/34 does not exist"), noNode.out());
    }

    @Test
    void aMovedCardIsReportedNotGuessed() {
        Cli.Result r = Cli.run("--root", Cli.sample("seed1-ubuntu-18.04").toString(), "verify", "--device", "66:00.0").exits(1);
        assertTrue(r.out().contains("no PCI device 0000:66:00.0") && r.out().contains("moved"), r.out());
    }
}
