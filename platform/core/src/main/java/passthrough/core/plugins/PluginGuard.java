package passthrough.core.plugins;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * Wraps an extension so that every call into it that throws becomes a {@link PluginFailedException} naming the
 * plugin and the call. Done once where extensions are handed out, so no caller (planner, readiness check, verifier,
 * a command) can forget it, and a plugin's NumberFormatException never reaches the user as "internal error".
 */
final class PluginGuard {
    private PluginGuard() {
    }

    static <T> T guard(Class<T> type, T extension, String source) {
        String id = PluginRegistry.extensionId(extension);
        String who = PluginRegistry.BUILTIN.equals(source) ? id : id + " (plugin " + source + ")";
        InvocationHandler handler = (proxy, method, args) -> {
            Object result = invoke(proxy, extension, type, who, method, args);
            // an extension configured by a profile (withSettings) is a new object: it is guarded like the first
            if (result != null && result != extension && type.isInstance(result) && !Proxy.isProxyClass(result.getClass())) {
                return guard(type, type.cast(result), source);
            }
            return result == extension ? proxy : result;
        };
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
    }

    private static Object invoke(Object proxy, Object target, Class<?> type, String who, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
                case "equals" -> proxy == args[0];
                case "hashCode" -> System.identityHashCode(target);
                case "toString" -> who;
                default -> method.invoke(target, args);
            };
        }
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof VirtualMachineError vm) throw vm; // out of memory is not the plugin's input
            throw new PluginFailedException(who, type.getSimpleName() + "." + method.getName(), cause);
        }
    }
}
