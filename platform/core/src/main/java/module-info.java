/** Reads hosts into facts, judges readiness, captures reports, loads plugins, applies plans. Prints nothing. */
module passthrough.core {
    requires transitive passthrough.api;
    requires org.slf4j;
    requires com.fasterxml.jackson.databind;
    requires io.github.javadiffutils;
    // the plugin audit reads jars' byte code (automatic module name from archunit's MANIFEST)
    requires com.tngtech.archunit;
    exports passthrough.core.host;
    exports passthrough.core.check;
    exports passthrough.core.plugins;
    exports passthrough.core.plugins.audit;
    exports passthrough.core.report;
    exports passthrough.core.plan;
    exports passthrough.core.vm;
    exports passthrough.core.verify;
    exports passthrough.core.apply;
    exports passthrough.core.profiles;
    exports passthrough.core.bundle;
    // Jackson reads and writes the journal manifest records reflectively
    opens passthrough.core.apply to com.fasterxml.jackson.databind;
    opens passthrough.core.plan to com.fasterxml.jackson.databind;
    opens passthrough.core.profiles to com.fasterxml.jackson.databind;
    // the audit record beside each installed third-party jar is JSON
    opens passthrough.core.plugins.audit to com.fasterxml.jackson.databind;
    uses passthrough.api.HardwareProbe;
    uses passthrough.api.BindingStrategy;
    uses passthrough.api.BootloaderWriter;
    uses passthrough.api.EarlyModuleLoader;
    uses passthrough.api.Hypervisor;
    uses passthrough.api.GuestQuirk;
}
