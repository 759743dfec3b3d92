package passthrough.it.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Odd host input ends in a refusal naming the file, never in exit 70 ("internal error"). */
class OddInputTest {

    @Test
    void aDefaultEntryNumberPastIntInAHandKeptGrubCfgIsARefusalNamingTheFile(@TempDir Path tmp) throws Exception {
        Path root = Cli.copyTree(Cli.sample("seed2-lfs-12.2"), tmp.resolve("host"));
        Path cfg = root.resolve("boot/grub/grub.cfg");
        Files.writeString(cfg, Files.readString(cfg).replace("set default=0", "set default=99999999999"));
        // the running kernel lacks the IOMMU parameters, so the plan has to read the default entry's line
        Path cmdline = root.resolve("proc/cmdline");
        Files.writeString(cmdline, Files.readString(cmdline).replace("intel_iommu=on", "").replace("iommu=pt", ""));
        Cli.Result r = Cli.run("--root", root.toString(), "plan", "--device", "82:00.0").exits(3);
        assertTrue(r.err().contains("boot/grub/grub.cfg") && r.err().contains("99999999999"), r.err());
        assertFalse(r.err().contains("internal error"), r.err());
    }

    @Test
    void aRefusalNamesThePluginsThatFailedToLoad(@TempDir Path tmp) throws Exception {
        // a binding or writer that failed to load may be why nothing else could step in: the refusal says so
        Path plugins = Files.createDirectories(tmp.resolve("plugins"));
        Files.writeString(plugins.resolve("broken-vendor.jar"), "not a jar");
        Cli.Result r = Cli.run("--plugins-dir", plugins.toString(), "--root", Cli.sample("seed1-ubuntu-18.04").toString(),
                "plan", "--device", "17:00.0").exits(3);
        assertTrue(r.err().contains("--allow-boot-gpu") && r.err().contains("plugins that failed to load")
                && r.err().contains("broken-vendor.jar"), r.err());
    }
}
