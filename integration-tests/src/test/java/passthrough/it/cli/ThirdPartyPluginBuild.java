package passthrough.it.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarFile;

/**
 * The jars of the third-party plugin projects under integration-tests/third-party, as their own Maven builds made
 * them: the root pom lists each project as a module (a standalone pom on the published api, no parent), so the
 * reactor builds target/NAME-1.0.0.jar before these tests run. A test gets a copy, so nothing it does touches the
 * build's output.
 */
final class ThirdPartyPluginBuild {
    static final String VERSION = "1.0.0";

    private ThirdPartyPluginBuild() {
    }

    static Path project(String name) {
        return Cli.repo().resolve("integration-tests/third-party").resolve(name);
    }

    /** A copy, in {@code work}, of the jar Maven built for {@code third-party/NAME}. */
    static Path jar(String name, Path work) throws Exception {
        Path built = project(name).resolve("target/" + name + "-" + VERSION + ".jar");
        assertTrue(Files.isRegularFile(built), built + " is missing: the reactor builds it (`mvn -B verify`, or "
                + "`mvn -B package -pl integration-tests -am`) before the integration tests");
        try (JarFile jar = new JarFile(built.toFile())) {
            // pf4j finds the extension through the index its annotation processor wrote during the Maven build
            assertTrue(jar.getEntry("META-INF/extensions.idx") != null, built + " has no META-INF/extensions.idx");
            assertTrue(name.equals(jar.getManifest().getMainAttributes().getValue("Plugin-Id")), built + " manifest");
        }
        Path copy = Files.createDirectories(work).resolve(built.getFileName());
        Files.copy(built, copy);
        return copy;
    }
}
