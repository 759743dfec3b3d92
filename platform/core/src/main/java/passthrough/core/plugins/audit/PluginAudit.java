package passthrough.core.plugins.audit;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import passthrough.core.apply.FileDigest;

/**
 * Judges a third-party plugin jar before any of it runs: its pf4j manifest, and every call and type its classes
 * mention.
 *
 * <p>Why ArchUnit: it is already the project's rule engine (the first-party plugins' rules in integration-tests'
 * ArchitectureRulesTest), and its {@link ClassFileImporter} reads class files with its own copy of ASM into a model
 * of classes, calls and line numbers WITHOUT loading them: no class loader ever sees the jar, so no static
 * initializer of the plugin runs while it is judged. (Types the plugin refers to, such as the JDK's, are looked up as
 * class files on the platform's own class path for their supertypes; that too only reads bytes.)
 *
 * <p>The rule: a plugin may depend on the JDK ({@code java..}, {@code javax.annotation..}), pf4j ({@code org.pf4j..}),
 * the api ({@code passthrough.api..}) and its own packages, and must not use what {@link ForbiddenApis} lists.
 */
public final class PluginAudit {
    private static final List<String> ALLOWED_TREES = List.of("java", "javax.annotation", "org.pf4j", "passthrough.api");
    /** Packages a plugin may use but never add classes to (it would pass for the platform). */
    private static final List<String> PLATFORM_TREES = List.of("java", "javax", "jdk", "sun", "org.pf4j", "passthrough");

    private PluginAudit() {
    }

    /** Reads {@code jar}'s manifest and byte code; never loads a class from it. */
    public static PluginAuditResult audit(Path jar) throws IOException {
        String sha256 = FileDigest.of(Files.readAllBytes(jar));
        List<String> problems = new ArrayList<>();
        PluginManifest manifest;
        JavaClasses classes;
        Set<String> own;
        // JarFile reads the zip; ArchUnit turns its .class entries into a model, no ClassLoader involved
        try (JarFile file = new JarFile(jar.toFile(), false)) {
            manifest = PluginManifest.of(file.getManifest());
            classes = new ClassFileImporter().importJar(file);
            own = packagesIn(file);
        } catch (RuntimeException e) {
            // ArchUnit wraps a class file it cannot parse; the jar is then refused, never loaded
            return new PluginAuditResult(jar.getFileName().toString(), sha256, PluginManifest.of(null), 0, List.of(),
                    List.of(jar.getFileName() + ": its classes cannot be read (" + e.getMessage() + "); rebuild the jar"));
        }
        List<JavaClass> pluginClasses = classes.stream().filter(c -> own.contains(c.getPackageName())).toList();
        if (pluginClasses.isEmpty()) {
            problems.add(jar.getFileName() + ": has no classes; a plugin jar holds at least its extension");
        }
        Map<String, AuditViolation> found = new LinkedHashMap<>();
        for (JavaClass c : pluginClasses) {
            for (String tree : PLATFORM_TREES) {
                if (ForbiddenApis.inTree(c.getPackageName(), tree)) {
                    add(found, new AuditViolation(c.getName(), "", 0, c.getPackageName(),
                            "declares a class in the platform's package " + tree + ".."));
                }
            }
            checkAccesses(c, found);
            checkDependencies(c, own, found);
        }
        List<AuditViolation> violations = found.values().stream()
                .sorted(Comparator.comparing(AuditViolation::className).thenComparingInt(AuditViolation::line)
                        .thenComparing(AuditViolation::methodName).thenComparing(AuditViolation::target))
                .toList();
        return new PluginAuditResult(jar.getFileName().toString(), sha256, manifest, pluginClasses.size(), violations, problems);
    }

    /** The packages of the jar's own class files (ArchUnit's model also holds the types it resolved elsewhere). */
    private static Set<String> packagesIn(JarFile file) {
        Set<String> own = new TreeSet<>();
        file.stream().map(e -> e.getName()).filter(n -> n.endsWith(".class") && !n.startsWith("META-INF/")
                && !n.endsWith("module-info.class") && !n.endsWith("package-info.class")).forEach(n -> {
                    int slash = n.lastIndexOf('/');
                    own.add(slash < 0 ? "" : n.substring(0, slash).replace('/', '.'));
                });
        return own;
    }

    private static void checkAccesses(JavaClass c, Map<String, AuditViolation> found) {
        // calls, field accesses, constructor calls and method references (Files::delete counts too)
        for (JavaAccess<?> access : c.getAccessesFromSelf()) {
            String why = ForbiddenApis.whyAccessIsForbidden(access.getTarget());
            if (why != null) {
                add(found, new AuditViolation(c.getName(), access.getOrigin().getName(), access.getLineNumber(),
                        access.getTarget().getFullName(), why));
            }
        }
    }

    private static void checkDependencies(JavaClass c, Set<String> own, Map<String, AuditViolation> found) {
        // every other mention: supertypes, field, parameter and return types, instanceof, class literals, annotations
        for (Dependency d : c.getDirectDependenciesFromSelf()) {
            JavaClass target = d.getTargetClass().getBaseComponentType();
            if (target.isPrimitive()) continue;
            String why = ForbiddenApis.whyTypeIsForbidden(target);
            if (why == null && !own.contains(target.getPackageName())
                    && ALLOWED_TREES.stream().noneMatch(t -> ForbiddenApis.inTree(target.getPackageName(), t))) {
                why = "is outside what a plugin may use (the JDK, org.pf4j.., passthrough.api.. and its own packages)";
            }
            if (why == null) continue;
            int line = d.getSourceCodeLocation().getLineNumber();
            // the same call was already reported with its method by checkAccesses
            boolean known = found.values().stream().anyMatch(v -> v.className().equals(c.getName()) && v.line() == line
                    && v.target().startsWith(target.getName()));
            if (!known) add(found, new AuditViolation(c.getName(), methodAt(c, line), line, target.getName(), why));
        }
    }

    /**
     * The method a line belongs to, for mentions that are no call (a class literal, an instanceof): the one starting
     * last at or before the line. "" for the class itself (line 0: a supertype, a field's type).
     */
    private static String methodAt(JavaClass c, int line) {
        if (line <= 0) return "";
        String best = "";
        int bestStart = 0;
        for (JavaCodeUnit u : c.getCodeUnits()) {
            int start = u.getSourceCodeLocation().getLineNumber();
            if (start > bestStart && start <= line) {
                bestStart = start;
                best = u.getName();
            }
        }
        return best;
    }

    private static void add(Map<String, AuditViolation> found, AuditViolation v) {
        found.putIfAbsent(v.className() + "|" + v.methodName() + "|" + v.line() + "|" + v.target(), v);
    }
}
