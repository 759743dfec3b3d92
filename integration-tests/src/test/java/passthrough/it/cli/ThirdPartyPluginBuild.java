package passthrough.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * Builds one of the third-party plugin projects under integration-tests/third-party the way its pom does (javac with
 * pf4j's extension processor, a jar with the pom's manifestEntries), against THIS build's api and pf4j from the test
 * class path. Done without Maven so the tests stay offline and never need the api in a Maven repository (running the
 * projects' poms would need passthrough-api installed somewhere, and ~/.m2 is shared).
 */
final class ThirdPartyPluginBuild {
    private ThirdPartyPluginBuild() {
    }

    static Path project(String name) {
        return Cli.repo().resolve("integration-tests/third-party").resolve(name);
    }

    /** Compiles {@code third-party/NAME} into {@code out/NAME-VERSION.jar}. */
    static Path jar(String name, Path work) throws Exception {
        Path project = project(name);
        Path classes = Files.createDirectories(work.resolve(name + "-classes"));
        List<String> sources;
        try (Stream<Path> s = Files.walk(project.resolve("src/main/java"))) {
            sources = s.filter(p -> p.toString().endsWith(".java")).map(Path::toString).toList();
        }
        String classPath = location(passthrough.api.GuestQuirk.class) + java.io.File.pathSeparator + location(org.pf4j.Extension.class);
        List<String> args = new ArrayList<>(List.of("--release", "17", "-cp", classPath, "-processorpath", classPath,
                "-processor", "org.pf4j.processor.ExtensionAnnotationProcessor", "-d", classes.toString()));
        args.addAll(sources);
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, new PrintStream(diagnostics, true, StandardCharsets.UTF_8), args.toArray(String[]::new));
        assertEquals(0, rc, () -> project + " compiles: " + diagnostics.toString(StandardCharsets.UTF_8));

        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        Element pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(project.resolve("pom.xml").toFile())
                .getDocumentElement();
        NodeList entries = ((Element) pom.getElementsByTagName("manifestEntries").item(0)).getChildNodes();
        for (int i = 0; i < entries.getLength(); i++) {
            Node n = entries.item(i);
            if (n.getNodeType() == Node.ELEMENT_NODE) mf.getMainAttributes().putValue(n.getNodeName(), n.getTextContent().strip());
        }
        String version = pom.getElementsByTagName("version").item(0).getTextContent();
        Path jar = Files.createDirectories(work.resolve("out")).resolve(name + "-" + version + ".jar");
        try (OutputStream o = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(o, mf);
             Stream<Path> files = Files.walk(classes)) {
            for (Path c : files.filter(Files::isRegularFile).sorted().toList()) {
                j.putNextEntry(new JarEntry(classes.relativize(c).toString().replace('\\', '/')));
                j.write(Files.readAllBytes(c));
            }
        }
        return jar;
    }

    private static String location(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
