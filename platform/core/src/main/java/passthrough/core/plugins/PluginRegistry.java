package passthrough.core.plugins;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import org.pf4j.DefaultPluginManager;
import org.pf4j.ExtensionPoint;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import passthrough.api.BindingStrategy;
import passthrough.api.BootloaderWriter;
import passthrough.api.EarlyModuleLoader;
import passthrough.api.GuestQuirk;
import passthrough.api.HardwareProbe;
import passthrough.api.Hypervisor;
import passthrough.core.plugins.audit.AuditRecord;
import passthrough.core.plugins.audit.InstalledPlugins;

/**
 * All extensions the tool can use: built-ins found with {@link ServiceLoader} (module path and class path alike)
 * and pf4j plugins from the plugin directories. pf4j is asked plugin by plugin, so the host's own class path is
 * never scanned for "system extensions". A plugin that fails to load, start or instantiate is recorded in
 * {@link #problems()} and skipped.
 */
public final class PluginRegistry implements AutoCloseable {
    public static final String BUILTIN = "builtin";
    public static final List<Class<? extends ExtensionPoint>> EXTENSION_POINTS = List.of(
            HardwareProbe.class, BindingStrategy.class, BootloaderWriter.class, EarlyModuleLoader.class, Hypervisor.class,
            GuestQuirk.class);

    private static final Logger LOG = LoggerFactory.getLogger(PluginRegistry.class);

    /** Null when no plugin directory exists: pf4j is then never started (it costs start-up time for nothing). */
    private final ProblemRecordingPluginManager manager;
    private final List<Path> directories;
    private final List<PluginProblem> builtinProblems = new java.util.concurrent.CopyOnWriteArrayList<>();

    private PluginRegistry(ProblemRecordingPluginManager manager, List<Path> directories) {
        this.manager = manager;
        this.directories = directories;
    }

    /** As {@link #loadFrom}, every directory taken as one the user named (third-party, loaded without audit records). */
    public static PluginRegistry load(List<Path> directories) {
        return loadFrom(directories.stream().map(PluginDirectory::given).toList());
    }

    /**
     * Loads and starts the plugins found in {@code directories}; directories that do not exist are skipped. In a
     * directory with audit records, a jar whose record is missing or does not match its bytes is not even opened by
     * pf4j: it is reported in {@link #problems()}.
     */
    public static PluginRegistry loadFrom(List<PluginDirectory> directories) {
        Map<Path, PluginDirectory> byPath = new LinkedHashMap<>();
        for (PluginDirectory d : directories) {
            if (Files.isDirectory(d.path())) byPath.putIfAbsent(d.path().toAbsolutePath().normalize(), d);
        }
        List<Path> existing = byPath.values().stream().map(PluginDirectory::path).toList();
        if (existing.isEmpty()) return new PluginRegistry(null, existing);
        ProblemRecordingPluginManager manager = new ProblemRecordingPluginManager(existing, byPath);
        try {
            manager.loadPlugins();
        } catch (RuntimeException e) {
            manager.record(null, null, "plugins could not be resolved: " + e.getMessage());
        }
        for (PluginWrapper p : manager.getResolvedPlugins()) {
            try {
                manager.startPlugin(p.getPluginId());
            } catch (RuntimeException e) {
                manager.record(p.getPluginPath(), p.getPluginId(), "cannot start: " + e.getMessage());
            }
            if (p.getPluginState() == PluginState.FAILED) {
                Throwable t = p.getFailedException();
                manager.record(p.getPluginPath(), p.getPluginId(), "failed to start"
                        + (t == null ? "" : ": " + t.getMessage()));
            }
        }
        return new PluginRegistry(manager, existing);
    }

    public List<Path> directories() {
        return directories;
    }

    /** Built-ins first, then plugins in id order. */
    public <T extends ExtensionPoint> List<LoadedExtension<T>> extensions(Class<T> type) {
        List<LoadedExtension<T>> out = new ArrayList<>();
        // every extension is handed out guarded: a call that throws names the plugin instead of ending in exit 70
        for (T t : ServiceLoader.load(type, PluginRegistry.class.getClassLoader())) {
            out.add(new LoadedExtension<>(PluginGuard.guard(type, t, BUILTIN), BUILTIN));
        }
        for (PluginWrapper p : startedPlugins()) {
            try {
                for (T t : manager.getExtensions(type, p.getPluginId())) {
                    out.add(new LoadedExtension<>(PluginGuard.guard(type, t, p.getPluginId()), p.getPluginId()));
                }
            } catch (RuntimeException | LinkageError e) {
                manager.record(p.getPluginPath(), p.getPluginId(), "cannot create its " + type.getSimpleName()
                        + " extension: " + e);
            }
        }
        return out;
    }

    /** Every plugin pf4j knows, with the extension points and ids it provides. */
    public List<PluginInfo> plugins() {
        List<PluginInfo> out = new ArrayList<>();
        if (manager == null) return out;
        for (PluginWrapper p : manager.getPlugins().stream()
                .sorted((a, b) -> a.getPluginId().compareTo(b.getPluginId())).toList()) {
            Set<String> points = new TreeSet<>();
            Set<String> ids = new LinkedHashSet<>();
            if (p.getPluginState() == PluginState.STARTED) {
                for (Class<? extends ExtensionPoint> type : EXTENSION_POINTS) {
                    try {
                        for (Object e : manager.getExtensions(type, p.getPluginId())) {
                            points.add(type.getSimpleName());
                            ids.add(extensionId(e));
                        }
                    } catch (RuntimeException | LinkageError ex) {
                        LOG.debug("plugin {} extension listing failed", p.getPluginId(), ex);
                    }
                }
            }
            var d = p.getDescriptor();
            PluginDirectory from = manager.directoryOf(p.getPluginPath());
            AuditRecord audit = from != null && from.auditRecords() ? InstalledPlugins.check(p.getPluginPath()).record() : null;
            out.add(new PluginInfo(p.getPluginId(), d.getVersion(), d.getProvider() == null ? "" : d.getProvider(),
                    p.getPluginState().toString(), p.getPluginPath(), List.copyOf(points), List.copyOf(ids),
                    from == null ? PluginOrigin.THIRD_PARTY : from.origin(), audit));
        }
        return out;
    }

    /** Records a problem found with a plugin after loading (a malformed declaration, say), shown with the others. */
    public void recordProblem(String pluginId, String message) {
        if (manager != null) manager.record(null, pluginId, message);
        else builtinProblems.add(new PluginProblem(null, pluginId, message));
    }

    public List<PluginProblem> problems() {
        if (manager == null) return List.copyOf(builtinProblems);
        List<PluginProblem> all = new ArrayList<>(manager.problems());
        all.addAll(builtinProblems);
        return all;
    }

    /** Every extension point has an {@code id()}; reflection keeps this listing independent of the point's type. */
    public static String extensionId(Object extension) {
        try {
            Method m = extension.getClass().getMethod("id");
            return String.valueOf(m.invoke(extension));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return extension.getClass().getName();
        }
    }

    private List<PluginWrapper> startedPlugins() {
        if (manager == null) return List.of();
        return manager.getStartedPlugins().stream().sorted((a, b) -> a.getPluginId().compareTo(b.getPluginId())).toList();
    }

    @Override
    public void close() {
        // pf4j 3.15.0's stopPlugins() skips plugins or throws ConcurrentModificationException (pf4j #656):
        // stop them one by one from a copy, then unload.
        if (manager == null) return;
        for (PluginWrapper p : new ArrayList<>(manager.getStartedPlugins())) {
            try {
                manager.stopPlugin(p.getPluginId());
            } catch (RuntimeException e) {
                LOG.debug("stopping plugin {} failed", p.getPluginId(), e);
            }
        }
        manager.unloadPlugins();
    }

    /** pf4j logs a plugin that fails to load and moves on; this keeps the failure so the user is told. */
    private static final class ProblemRecordingPluginManager extends DefaultPluginManager {
        private final List<PluginProblem> problems = new ArrayList<>();
        private final Map<Path, PluginDirectory> directories;

        ProblemRecordingPluginManager(List<Path> roots, Map<Path, PluginDirectory> directories) {
            super(roots.toArray(Path[]::new));
            this.directories = directories;
        }

        /** The directory a plugin was found in, null when unknown. */
        PluginDirectory directoryOf(Path pluginPath) {
            Path parent = pluginPath == null ? null : pluginPath.toAbsolutePath().normalize().getParent();
            return parent == null ? null : directories.get(parent);
        }

        @Override
        protected PluginWrapper loadPluginFromPath(Path pluginPath) {
            PluginDirectory from = directoryOf(pluginPath);
            if (from != null && from.auditRecords()) {
                // checked before pf4j opens it: an unaudited or swapped jar never reaches a class loader
                String refused = pluginPath.getFileName().toString().endsWith(".jar")
                        ? InstalledPlugins.check(pluginPath).problem()
                        : pluginPath + ": not loaded, only jars installed with `passthrough plugins install` load from "
                                + from.path() + "; remove it";
                if (refused != null) {
                    // a problem carries its path apart (PluginProblem.path), so the message starts after it
                    String prefix = pluginPath + ": ";
                    record(pluginPath, null, refused.startsWith(prefix) ? refused.substring(prefix.length()) : refused);
                    return null;
                }
            }
            try {
                return super.loadPluginFromPath(pluginPath);
            } catch (RuntimeException e) {
                record(pluginPath, null, "cannot load: " + describe(e));
                throw e;
            }
        }

        synchronized void record(Path path, String id, String message) {
            problems.add(new PluginProblem(path, id, message));
        }

        synchronized List<PluginProblem> problems() {
            return List.copyOf(problems);
        }

        private static String describe(Throwable e) {
            StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage()));
            for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
                sb.append(" (").append(c.getMessage()).append(')');
            }
            return sb.toString();
        }
    }
}
