/** The model and the extension points; plugins compile against this module only. */
module passthrough.api {
    // pf4j 3.15.0 ships no module descriptor: its filename-derived automatic name is "pf4j".
    // When pf4j publishes a descriptor again this becomes "org.pf4j" (see JPMS notes).
    requires transitive pf4j;
    exports passthrough.api;
}
