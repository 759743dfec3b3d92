package passthrough.plugin.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The golden scripts' QEMU arguments given to the real qemu-system-x86_64, which builds the machine (-S: it never runs
 * a guest instruction) and quits through its monitor: every option, device and property the scripts write must be one
 * QEMU knows. What this machine cannot have is adapted, and only that: the vfio-pci devices are left out (no card to
 * pass; their properties are checked against {@code -device vfio-pci,help}), KVM becomes TCG when there is no
 * /dev/kvm (the -cpu/-machine properties stay), a bridge becomes user networking (no bridge, no setuid helper), a
 * directly booted kernel is left out (QEMU loads it at start), the memory is 256 MiB, disks and the ISO are temporary
 * files, and the serial port is off (the monitor takes stdio).
 */
class RealQemuTest {

    static Stream<Arguments> goldens() {
        return Fixtures.all().stream().map(g -> Arguments.of(g.file()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldens")
    void qemuBuildsTheMachineOfEveryGolden(String file, @TempDir Path tmp) throws Exception {
        Tools.require("qemu-system-x86_64", "qemu-system-x86");
        Tools.require("qemu-img", "qemu-utils");
        Path script = GoldenScriptsTest.GOLDEN.resolve(file);
        Path state = tmp.resolve("state");
        Tools.Result printed = Tools.run(List.of("bash", script.toString(), "--print-argv"),
                Map.of("PASSTHROUGH_VM_STATE", state.toString()), tmp);
        assertEquals(0, printed.exit(), printed.out());
        String all = printed.out();
        List<String> argv = new ArrayList<>(List.of(all.substring(0, all.length() - 1).split("\0", -1)));
        assertEquals("qemu-system-x86_64", argv.get(0));

        boolean kvm = Files.isWritable(Path.of("/dev/kvm"));
        List<String> run = new ArrayList<>(List.of("qemu-system-x86_64"));
        for (int i = 1; i < argv.size(); i++) {
            String option = argv.get(i);
            String value = i + 1 < argv.size() ? argv.get(i + 1) : "";
            switch (option) {
                case "-nodefaults" -> {
                    run.add(option);
                    continue;
                }
                case "-device" -> {
                    if (value.startsWith("vfio-pci,")) value = null;
                }
                case "-machine" -> value = kvm ? value : value.replace("accel=kvm", "accel=tcg");
                case "-cpu" -> value = kvm ? value : value.replaceFirst("^host", "max");
                case "-m" -> value = "256";
                case "-netdev" -> value = value.startsWith("bridge,") ? "user,id=net0" : value;
                case "-kernel", "-initrd", "-append" -> value = null;
                case "-serial" -> value = "none";
                case "-drive" -> value = withTemporaryFiles(value, tmp, state);
                default -> {
                }
            }
            if (value != null) {
                run.add(option);
                run.add(value);
            }
            i++;
        }
        // the VM's own variables, as the script makes them
        Path vars = state.resolve(nameOf(argv)).resolve("OVMF_VARS.fd");
        Files.createDirectories(vars.getParent());
        Path template = Path.of(templateOf(script));
        Tools.requireFile(template, "ovmf");
        Files.copy(template, vars);
        run.addAll(List.of("-S", "-monitor", "stdio"));

        Process p = new ProcessBuilder(run).redirectErrorStream(true).start();
        p.getOutputStream().write("quit\n".getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().flush();
        boolean ended = p.waitFor(60, TimeUnit.SECONDS);
        if (!ended) p.destroyForcibly();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(ended, "QEMU did not quit: " + run + "\n" + out);
        assertEquals(0, p.exitValue(), run + "\n" + out);
        assertFalse(out.contains("qemu-system-x86_64:"), "QEMU complained: " + out);
    }

    private static String nameOf(List<String> argv) {
        return argv.get(argv.indexOf("-name") + 1);
    }

    private static String templateOf(Path script) throws Exception {
        return Files.readAllLines(script).stream().filter(l -> l.startsWith("vars_template=")).findFirst().orElseThrow()
                .substring("vars_template=".length());
    }

    /** -drive values with the disk and ISO files replaced by temporary ones of the same format; pflash kept. */
    private static String withTemporaryFiles(String value, Path tmp, Path state) throws Exception {
        if (value.startsWith("if=pflash")) {
            String file = value.substring(value.indexOf(",file=") + 6).replace(",,", ",");
            if (!file.startsWith(state.toString())) Tools.requireFile(Path.of(file), "ovmf");
            return value;
        }
        String format = value.replaceAll(".*,format=([a-z0-9]+),.*", "$1");
        Path f = tmp.resolve("image" + value.hashCode() + "." + format);
        Tools.Result r = Tools.run(List.of("qemu-img", "create", "-f", format, f.toString(), "1M"));
        assertEquals(0, r.exit(), r.out());
        return value.substring(0, value.indexOf(",file=")) + ",file=" + f.toString().replace(",", ",,");
    }

    @Test
    void everyVfioPciPropertyTheScriptsWriteIsOneQemuHas() throws Exception {
        Tools.require("qemu-system-x86_64", "qemu-system-x86");
        Tools.Result help = Tools.run(List.of("qemu-system-x86_64", "-device", "vfio-pci,help"));
        assertEquals(0, help.exit(), help.out());
        List<String> keys = new ArrayList<>();
        for (Fixtures.Golden g : Fixtures.all()) {
            for (String line : g.render().split("\n")) {
                if (!line.startsWith("  -device vfio-pci,")) continue;
                for (String property : line.substring("  -device vfio-pci,".length()).split(",")) {
                    keys.add(property.substring(0, property.indexOf('=')));
                }
            }
        }
        assertTrue(keys.containsAll(List.of("host", "addr", "multifunction", "rombar")), keys.toString());
        for (String key : keys) {
            if (key.equals("id") || key.equals("bus")) continue;  // every device's, not listed by help
            assertTrue(help.out().contains("\n  " + key + "=") || help.out().startsWith("  " + key + "="),
                    "vfio-pci has no property " + key + ":\n" + help.out());
        }
    }
}
