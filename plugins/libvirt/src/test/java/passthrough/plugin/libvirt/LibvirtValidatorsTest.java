package passthrough.plugin.libvirt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every golden document through libvirt's own checkers: {@code virt-xml-validate FILE domain} (the RNG schema the
 * installed libvirt ships, with xmllint: Debian libvirt-clients + libxml2-utils) and {@code virsh -c test:///default
 * define FILE} (libvirt's parser and post-parse checks, in the test driver that needs no daemon). They live here, next
 * to the golden files, because they need nothing but the two tools; the real daemon (define, dumpxml,
 * domxml-to-native) is integration-tests' LibvirtDaemonTest. Without the tools: skipped on a developer's machine,
 * failed in CI (PASSTHROUGH_CI=1; .ci/run installs them).
 */
class LibvirtValidatorsTest {

    @TempDir
    Path tmp;

    static Stream<Fixtures.Golden> goldens() {
        return Fixtures.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldens")
    void virtXmlValidateAcceptsTheGoldenDocument(Fixtures.Golden golden) throws Exception {
        required("virt-xml-validate", "libvirt-clients");
        required("xmllint", "libxml2-utils");
        Path file = GoldenDocumentsTest.GOLDEN.resolve(golden.file());
        Result r = run("virt-xml-validate", file.toString(), "domain");
        assertEquals(0, r.exit, "virt-xml-validate " + file + " domain:\n" + r.output);
        assertTrue(r.output.contains("validates"), r.output);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldens")
    void virshDefinesTheGoldenDocumentInTheTestDriver(Fixtures.Golden golden) throws Exception {
        required("virsh", "libvirt-clients");
        Path file = GoldenDocumentsTest.GOLDEN.resolve(golden.file());
        Result r = run("virsh", "-c", "test:///default", "define", file.toString());
        assertEquals(0, r.exit, "virsh -c test:///default define " + file + ":\n" + r.output);
        assertTrue(r.output.contains("Domain '" + golden.vm().name() + "' defined"), r.output);
    }

    /** The validators can fail: a document the schema refuses is refused (so the passes above mean something). */
    @Test
    void theValidatorsRefuseABrokenDocument() throws Exception {
        required("virt-xml-validate", "libvirt-clients");
        required("xmllint", "libxml2-utils");
        required("virsh", "libvirt-clients");
        String broken = Fixtures.seed1().render().replace("<controller type='pci' index='1' model='pcie-root-port'>",
                "<controller type='pci' index='1' model='no-such-model'>");
        Path file = tmp.resolve("broken.xml");
        Files.writeString(file, broken, StandardCharsets.UTF_8);
        Result validate = run("virt-xml-validate", file.toString(), "domain");
        assertTrue(validate.exit != 0, "virt-xml-validate accepted a bad controller model:\n" + validate.output);
        Result define = run("virsh", "-c", "test:///default", "define", file.toString());
        assertTrue(define.exit != 0 && define.output.contains("no-such-model"), define.output);
    }

    /** Skipped on a developer's machine without the tool, saying which package; failed in CI, which installs it. */
    static void required(String tool, String debianPackage) {
        boolean present = Stream.of("/usr/bin/", "/usr/sbin/", "/bin/", "/sbin/")
                .anyMatch(dir -> Files.isExecutable(Path.of(dir + tool)));
        String message = tool + " is not installed: apt-get install -y --no-install-recommends " + debianPackage
                + " (.ci/run installs it)";
        if ("1".equals(System.getenv("PASSTHROUGH_CI"))) assertTrue(present, message);
        else Assumptions.assumeTrue(present, message);
    }

    record Result(int exit, String output) {
    }

    static Result run(String... argv) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(argv));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("LC_ALL", "C");
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", argv) + " did not finish in 60 s");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
