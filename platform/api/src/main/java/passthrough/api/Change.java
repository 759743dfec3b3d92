package passthrough.api;

/**
 * One thing a plugin wants done to the host. Plugins only describe changes; the core's executor is the
 * only code that writes files or runs commands, so every change can be shown in a plan before it happens.
 */
public sealed interface Change permits FileChange, KernelParametersChange, EarlyModulesChange, CommandChange {

    /** Why this change is needed, in words a user can check. */
    String reason();
}
