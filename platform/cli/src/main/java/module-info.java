/** The command line. The only module that writes to stdout/stderr. */
module passthrough.cli {
    requires passthrough.core;
    requires info.picocli;
    requires com.fasterxml.jackson.databind;
    requires org.slf4j;
    // picocli sets @Option fields reflectively; Jackson reads the JSON views' record accessors
    opens passthrough.cli to info.picocli;
    opens passthrough.cli.json to com.fasterxml.jackson.databind;
    exports passthrough.cli;
}
