/** The command line. The only module that writes to stdout/stderr. */
module passthrough.cli {
    requires passthrough.core;
    requires com.fasterxml.jackson.databind;
    requires org.slf4j;
    // picocli (compiled into this module, package picocli, see pom.xml) sets @Option fields reflectively, which
    // needs no opens inside one module; Jackson reads the JSON views' record accessors
    opens passthrough.cli.json to com.fasterxml.jackson.databind;
    exports passthrough.cli;
}
