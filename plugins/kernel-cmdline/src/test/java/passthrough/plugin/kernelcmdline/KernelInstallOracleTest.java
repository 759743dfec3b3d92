package passthrough.plugin.kernelcmdline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import passthrough.api.Contribution;
import passthrough.api.FileChange;
import passthrough.api.HostFacts;
import passthrough.api.KernelParameter;
import passthrough.api.KernelParametersChange;

/**
 * The real oracle: systemd's own 90-loaderentry.install (the kernel-install plugin that writes the loader entry, from
 * Debian's systemd package) writes an entry from the /etc/kernel/cmdline this writer edited, in a temporary $BOOT, and
 * the entry's options must be the line the writer says the next boot gets. {@code kernel-install} itself needs a real
 * ESP or /boot layout and root ({@code kernel-install inspect} only prints paths), so its plugin is run directly with
 * the environment kernel-install gives it (KERNEL_INSTALL_CONF_ROOT points it at our cmdline instead of /etc's).
 * Skipped where systemd's kernel-install plugins are not installed.
 */
class KernelInstallOracleTest {

    static final Path LOADER_ENTRY_PLUGIN = Path.of("/usr/lib/kernel/install.d/90-loaderentry.install");
    static final String RELEASE = "6.1.0-99-amd64";
    static final String MACHINE_ID = "0123456789abcdef0123456789abcdef";

    @TempDir
    Path tmp;

    private final KernelCmdlineWriter writer = new KernelCmdlineWriter();

    @ParameterizedTest
    @ValueSource(strings = {
        "root=UUID=1 ro quiet\n",
        "  root=UUID=1\tro   quiet",
        "root=ZFS=rpool/ROOT/pve-1 boot=zfs iommu=off\r\n",
        "\n\nroot=/dev/sda1 \"acpi_osi=Windows 2020\" ro\n\n",
        "",
    })
    void theEntryKernelInstallWritesCarriesTheEditedLine(String original) throws Exception {
        assertTrue(Files.isExecutable(LOADER_ENTRY_PLUGIN), LOADER_ENTRY_PLUGIN + " is not installed: the oracle cannot run; "
                + "apt-get install systemd (.ci/run installs it)");
        for (String token : List.of("passthrough-test", MACHINE_ID)) {
            HostFacts before = host(original, Map.of());
            Contribution c = writer.change(before, new KernelParametersChange(
                    List.of(KernelParameter.of("intel_iommu", "on"), KernelParameter.of("iommu", "pt")),
                    List.of(KernelParameter.of("iommu", "off")), "turn on Intel VT-d"));
            String edited = c.changes().stream().filter(FileChange.class::isInstance).map(FileChange.class::cast)
                    .findFirst().orElseThrow().newContent();
            HostFacts afterEdit = host(edited, Map.of());
            String configured = writer.configuredCommandLine(afterEdit).toString();

            String entryPath = "boot/loader/entries/" + token + "-" + RELEASE + ".conf";
            String entry = runLoaderEntryPlugin(edited, token);
            GeneratedEntry written = GeneratedEntry.parse(entryPath, entry);
            List<String> expected = new java.util.ArrayList<>(OptionsComparison.words(configured));
            if (token.equals(MACHINE_ID)) expected.add("systemd.machine_id=" + MACHINE_ID);
            assertEquals(expected, OptionsComparison.words(written.options()), entry);
            assertTrue(configured.contains("intel_iommu=on") && configured.contains("iommu=pt")
                    && !configured.contains("iommu=off"), configured);

            // the freshly written entry is what the file says: no drift warning
            HostFacts refreshed = host(edited, Map.of(entryPath, entry));
            assertEquals(List.of(), writer.change(refreshed, new KernelParametersChange(
                    List.of(KernelParameter.of("intel_iommu", "on")), List.of(), "again")).findings());
            // the entry written from the original file, with the edited file not yet refreshed: a warning
            HostFacts stale = host(edited, Map.of(entryPath, runLoaderEntryPlugin(original, token)));
            assertTrue(writer.change(stale, new KernelParametersChange(List.of(KernelParameter.of("quiet", null)),
                    List.of(), "more")).findings().stream().anyMatch(f -> f.code().equals("KERNEL_CMDLINE_NOT_REFRESHED")));
        }
    }

    private HostFacts host(String cmdline, Map<String, String> entries) {
        Map<String, String> files = new HashMap<>(entries);
        files.put(KernelCmdlineFile.PATH, cmdline);
        return HostFacts.builder().files(files).commands(Set.of("kernel-install")).kernelRelease(RELEASE).build();
    }

    /** Runs systemd's loader-entry plugin as kernel-install would for `add RELEASE image`; returns the entry it wrote. */
    private String runLoaderEntryPlugin(String cmdline, String token) throws IOException, InterruptedException {
        Path run = Files.createTempDirectory(tmp, "run");
        Path conf = Files.createDirectories(run.resolve("conf"));
        Files.writeString(conf.resolve("cmdline"), cmdline, StandardCharsets.UTF_8);
        Path boot = Files.createDirectories(run.resolve("boot"));
        Path entryDir = Files.createDirectories(boot.resolve(token).resolve(RELEASE));
        Path staging = Files.createDirectories(run.resolve("staging"));
        Path image = Files.writeString(run.resolve("vmlinuz-" + RELEASE), "not a kernel");
        ProcessBuilder pb = new ProcessBuilder(LOADER_ENTRY_PLUGIN.toString(), "add", RELEASE, entryDir.toString(),
                image.toString());
        Map<String, String> env = pb.environment();
        env.put("KERNEL_INSTALL_LAYOUT", "bls");
        env.put("KERNEL_INSTALL_MACHINE_ID", MACHINE_ID);
        env.put("KERNEL_INSTALL_ENTRY_TOKEN", token);
        env.put("KERNEL_INSTALL_BOOT_ROOT", boot.toString());
        env.put("KERNEL_INSTALL_CONF_ROOT", conf.toString());
        env.put("KERNEL_INSTALL_STAGING_AREA", staging.toString());
        env.put("KERNEL_INSTALL_VERBOSE", "0");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "90-loaderentry.install did not finish");
        assertEquals(0, p.exitValue(), output);
        return Files.readString(boot.resolve("loader/entries/" + token + "-" + RELEASE + ".conf"));
    }
}
