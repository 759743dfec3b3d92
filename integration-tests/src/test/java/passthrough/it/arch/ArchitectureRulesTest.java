package passthrough.it.arch;

import passthrough.core.plugins.audit.ForbiddenApis;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.AccessTarget;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The module boundaries, checked on the production byte code of every module (api, core, cli and both plugin jars).
 *
 * <p>Each rule is a field (or method) whose name is what surefire reports, so a failure names the rule.
 * Every rule refuses to pass over zero classes ({@code allowEmptyShould(false)}), and
 * {@link #rule0_every_module_is_imported} proves the import really saw each module.
 *
 * <p>ArchUnit sees byte code only: a {@code static final} constant of a primitive or String type is inlined by javac
 * and leaves no trace of the class that declared it. That is harmless for these rules (a constant cannot write a
 * file or print), but it means "depends on" here means "references in byte code".
 *
 * <p>integration-tests/arch-plants/run plants one violation per rule into a copy of the repository and checks that
 * the build fails on the right rule.
 */
@AnalyzeClasses(packages = "passthrough", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureRulesTest {

    private static final String API = "passthrough.api..";
    private static final String CORE = "passthrough.core..";
    private static final String CLI = "passthrough.cli..";
    private static final String PLUGINS = "passthrough.plugin..";

    /** A rule over zero classes must not pass silently: every module must be in the import, and nothing else. */
    @ArchTest
    static void rule0_every_module_is_imported(JavaClasses classes) {
        Map<String, Integer> perModule = new TreeMap<>();
        for (String pkg : List.of("passthrough.api", "passthrough.core", "passthrough.cli",
                "passthrough.plugin.intelvtd", "passthrough.plugin.amdvi", "passthrough.plugin.grubdebian",
                "passthrough.plugin.grublfs", "passthrough.plugin.kernelcmdline", "passthrough.plugin.systemdbootentries",
                "passthrough.plugin.vfiopci", "passthrough.plugin.pcistub", "passthrough.plugin.initramfstools",
                "passthrough.plugin.lfssysconfig", "passthrough.plugin.dracut", "passthrough.plugin.mkinitcpio",
                "passthrough.plugin.grubby", "passthrough.plugin.kernelstub", "passthrough.plugin.rpmostree", "passthrough.plugin.libvirt",
                "passthrough.plugin.nvidia", "passthrough.plugin.spicemouse", "passthrough.plugin.largebar",
                "passthrough.plugin.cardwarnings", "passthrough.plugin.qemu")) {
            int n = classes.containPackage(pkg) ? classes.getPackage(pkg).getClassesInPackageTree().size() : 0;
            perModule.put(pkg, n);
        }
        assertTrue(perModule.values().stream().allMatch(n -> n > 0), "classes imported per package: " + perModule);
        // the plugin probes come from the plugin jars, which are on the class path only as test dependencies
        assertTrue(classes.contain("passthrough.plugin.intelvtd.IntelVtdProbe"), "IntelVtdProbe not imported");
        assertTrue(classes.contain("passthrough.plugin.amdvi.AmdViProbe"), "AmdViProbe not imported");
        // production classes only: nothing from any target/test-classes (this class included)
        List<String> fromTests = classes.stream()
                .filter(c -> c.getSource().map(s -> s.getUri().toString().contains("/test-classes/")).orElse(false))
                .map(JavaClass::getName).toList();
        assertEquals(List.of(), fromTests, "test classes were imported");
    }

    // ---------------------------------------------------------------- 1. api

    @ArchTest
    static final ArchRule rule1_api_depends_only_on_jdk_pf4j_and_api = classes()
            .that().resideInAPackage(API)
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "org.pf4j..", API)
            .because("the api is what plugins compile against: the JDK and pf4j only")
            .allowEmptyShould(false);

    // ---------------------------------------------------------------- 2. core

    @ArchTest
    static final ArchRule rule2_core_never_depends_on_cli_or_plugins = noClasses()
            .that().resideInAPackage(CORE)
            .should().dependOnClassesThat().resideInAnyPackage(CLI, PLUGINS)
            .because("core is used by the cli and loads plugins through the api only")
            .allowEmptyShould(false);

    // ---------------------------------------------------------------- 3. plugins

    @ArchTest
    static final ArchRule rule3_plugins_depend_only_on_jdk_pf4j_api_and_own_package = classes()
            .that().resideInAPackage(PLUGINS)
            .should(onlyDependOnJdkPf4jApiAndOwnPlugin())
            .because("a plugin sees only the api and pf4j at run time (provided scope, PluginClassLoader)")
            .allowEmptyShould(false);

    @ArchTest
    static final ArchRule rule3_plugins_do_not_depend_on_each_other = slices()
            .matching("passthrough.plugin.(*)..").namingSlices("plugin $1")
            .should().notDependOnEachOther()
            .because("plugins are loaded by separate class loaders and may be installed one without the other")
            .allowEmptyShould(false);

    // ---------------------------------------------------------------- 4. plugins do not write or exec

    @ArchTest
    static final ArchRule rule4_plugins_never_write_files_or_start_processes = classes()
            .that().resideInAPackage(PLUGINS)
            .should(neverWriteFilesOrStartProcesses())
            .because("plugins only describe changes (FileChange, CommandChange); the platform applies them")
            .allowEmptyShould(false);

    // ---------------------------------------------------------------- 5. only the cli prints

    @ArchTest
    static final ArchRule rule5_only_cli_prints = noClasses()
            .that().resideInAnyPackage(API, CORE, PLUGINS)
            .should().accessField(System.class, "out")
            .orShould().accessField(System.class, "err")
            .orShould().callMethodWhere(printStackTraceWithoutArgument())
            .orShould().callMethod(Thread.class, "dumpStack")
            .because("only the cli owns the terminal; api, core and plugins report through return values and slf4j")
            .allowEmptyShould(false);

    // ================================================================= conditions

    private static ArchCondition<JavaClass> onlyDependOnJdkPf4jApiAndOwnPlugin() {
        return new ArchCondition<>("only depend on java.., org.pf4j.., passthrough.api.. and their own plugin package") {
            @Override
            public void check(JavaClass origin, ConditionEvents events) {
                String own = ownPluginPackage(origin.getPackageName());
                for (Dependency d : origin.getDirectDependenciesFromSelf()) {
                    JavaClass target = d.getTargetClass().getBaseComponentType();
                    if (target.isPrimitive()) continue;
                    String p = target.getPackageName();
                    boolean allowed = inTree(p, "java") || inTree(p, "org.pf4j") || inTree(p, "passthrough.api")
                            || (own.equals("passthrough.plugin") ? p.equals(own) : inTree(p, own));
                    if (!allowed) {
                        events.add(SimpleConditionEvent.violated(d, d.getDescription()
                                + " [" + target.getName() + " is outside java.., org.pf4j.., passthrough.api.. and "
                                + own + "..]"));
                    }
                }
            }
        };
    }

    /** passthrough.plugin.amdvi.x.y -> passthrough.plugin.amdvi */
    private static String ownPluginPackage(String pkg) {
        String[] parts = pkg.split("\\.");
        return parts.length >= 3 ? String.join(".", parts[0], parts[1], parts[2]) : pkg;
    }

    private static boolean inTree(String pkg, String root) {
        return pkg.equals(root) || pkg.startsWith(root + ".");
    }

    /*
     * The first-party plugins follow the same rule the audit holds third-party jars to before they load
     * (core.plugins.audit.ForbiddenApis): no file writing, processes, network, private reflection, class loading.
     */
    private static ArchCondition<JavaClass> neverWriteFilesOrStartProcesses() {
        return new ArchCondition<>("never write files or start processes") {
            @Override
            public void check(JavaClass origin, ConditionEvents events) {
                // calls, field accesses, method and constructor references (Files::delete counts too)
                for (JavaAccess<?> access : origin.getAccessesFromSelf()) {
                    String why = ForbiddenApis.whyAccessIsForbidden(access.getTarget());
                    if (why != null) {
                        events.add(SimpleConditionEvent.violated(access,
                                origin.getName() + " " + why + ": " + access.getDescription()));
                    }
                }
                // any mention of a forbidden type: field/parameter/return types, supertypes, calls, instanceof...
                for (Dependency d : origin.getDirectDependenciesFromSelf()) {
                    String why = ForbiddenApis.whyTypeIsForbidden(d.getTargetClass().getBaseComponentType());
                    if (why != null) {
                        events.add(SimpleConditionEvent.violated(d, origin.getName() + " " + why + ": "
                                + d.getDescription()));
                    }
                }
            }
        };
    }


    private static DescribedPredicate<JavaAccess<?>> printStackTraceWithoutArgument() {
        return new DescribedPredicate<>("Throwable.printStackTrace() is called without an argument") {
            @Override
            public boolean test(JavaAccess<?> access) {
                AccessTarget t = access.getTarget();
                return t.getName().equals("printStackTrace") && t.getOwner().isAssignableTo(Throwable.class)
                        && t instanceof AccessTarget.CodeUnitAccessTarget unit && unit.getRawParameterTypes().isEmpty();
            }
        };
    }
}
