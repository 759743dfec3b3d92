package passthrough.core.apply;

/**
 * Called after each journaled step of an apply. Tests throw from it to stop the run exactly where a crash
 * (SIGKILL, power loss) could, and then check that recover() puts the host back.
 */
@FunctionalInterface
interface StepHook {
    StepHook NONE = (step, manifest) -> { };

    /** @param step "planned", "file-written", "files-written", "command-run" or "commands-run" */
    void reached(String step, JournalManifest manifest);
}
