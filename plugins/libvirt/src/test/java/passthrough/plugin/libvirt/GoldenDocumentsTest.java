package passthrough.plugin.libvirt;

import static org.junit.jupiter.api.Assertions.fail;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each fixture's document, byte for byte, against its golden file in src/test/resources/golden. A mismatch fails with a
 * unified diff and leaves the actual document in target/golden-actual; {@code -Dpassthrough.updateGolden=true}
 * rewrites the golden files instead (then read the diff in git before committing).
 */
class GoldenDocumentsTest {

    static final Path GOLDEN = Path.of("src/test/resources/golden");

    static Stream<Fixtures.Golden> goldens() {
        return Fixtures.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldens")
    void theDocumentIsTheGoldenOne(Fixtures.Golden golden) throws IOException {
        String actual = golden.render();
        Path file = GOLDEN.resolve(golden.file());
        if (Boolean.getBoolean("passthrough.updateGolden")) {
            Files.writeString(file, actual, StandardCharsets.UTF_8);
            return;
        }
        if (!Files.exists(file)) fail(file + " does not exist; write it with -Dpassthrough.updateGolden=true:\n" + actual);
        byte[] expected = Files.readAllBytes(file);
        byte[] got = actual.getBytes(StandardCharsets.UTF_8);
        if (java.util.Arrays.equals(expected, got)) return;
        Path out = Path.of("target/golden-actual").resolve(golden.file());
        Files.createDirectories(out.getParent());
        Files.write(out, got);
        List<String> e = new String(expected, StandardCharsets.UTF_8).lines().toList();
        List<String> a = actual.lines().toList();
        List<String> diff = UnifiedDiffUtils.generateUnifiedDiff(file.toString(), out.toString(), e, DiffUtils.diff(e, a), 2);
        fail(golden.file() + " differs from the golden document (actual in " + out + "; -Dpassthrough.updateGolden=true "
                + "rewrites it)" + (diff.isEmpty() ? ": same lines, different bytes (line ends or the final newline)" : ":\n"
                + String.join("\n", diff)));
    }
}
