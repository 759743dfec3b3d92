package passthrough.core.profiles;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads one profile file: JSON with comments ({@code //} and {@code /* *}{@code /}) and trailing commas allowed, so
 * people can keep notes in it. JSON was chosen over YAML or TOML because Jackson (already the project's) gives
 * the line of every token and of every binding error, which a message needs; TOML through Jackson parses into a
 * tree first and loses them. Strict: an unknown key, a wrong type, a missing field or a malformed id is an error
 * naming the file, the line and the field.
 */
public final class ProfileParser {
    /** Profile and plugin ids: lower-case words joined by '-', '.' or '_' (they become file names). */
    static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final String HELP = "see docs/profiles.md for the format";

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS, JsonReadFeature.ALLOW_TRAILING_COMMA)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, DeserializationFeature.FAIL_ON_TRAILING_TOKENS,
                    DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY, DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .withCoercionConfig(LogicalType.Textual, c -> c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .withCoercionConfig(LogicalType.Collection, c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail))
            .build();

    private ProfileParser() {
    }

    /**
     * Parses {@code bytes}, read from {@code source}, whose file name (without .json) is the profile's id.
     *
     * @throws ProfileException naming the file, the line and the field
     */
    public static Profile parse(Path source, byte[] bytes) throws ProfileException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ProfileException(source + ": not UTF-8 text; save it as UTF-8");
        }
        Map<String, Integer> lines = lines(source, text);
        ProfileFile f;
        try {
            f = MAPPER.readValue(text, ProfileFile.class);
        } catch (UnrecognizedPropertyException e) {
            throw new ProfileException(at(source, e, lines) + ": field '" + path(e) + "': unknown key; known keys here: "
                    + e.getKnownPropertyIds().stream().map(String::valueOf).sorted().collect(Collectors.joining(", "))
                    + "; " + HELP, e);
        } catch (JsonMappingException e) {
            throw new ProfileException(at(source, e, lines) + ": field '" + path(e) + "': " + firstLine(e.getOriginalMessage())
                    + "; " + HELP, e);
        } catch (JsonProcessingException e) {
            throw new ProfileException(at(source, e.getLocation()) + ": not valid JSON: " + firstLine(e.getOriginalMessage()), e);
        }
        if (f == null) throw new ProfileException(source + ": empty; a profile is one JSON object; " + HELP);
        return new Check(source, lines).profile(f, idOf(source));
    }

    /** The profile id a file name gives: "debian-12.json" -> "debian-12". */
    public static String idOf(Path file) {
        String n = file.getFileName().toString();
        return n.endsWith(".json") ? n.substring(0, n.length() - 5) : n;
    }

    /** The line of each value, by JSON pointer, from a streaming pass (the bound records do not keep locations). */
    private static Map<String, Integer> lines(Path source, String text) throws ProfileException {
        Map<String, Integer> out = new HashMap<>();
        try (JsonParser p = MAPPER.createParser(text)) {
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if (t == JsonToken.FIELD_NAME || t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) continue;
                out.putIfAbsent(p.getParsingContext().pathAsPointer().toString(), p.currentTokenLocation().getLineNr());
            }
        } catch (JsonProcessingException e) {
            throw new ProfileException(at(source, e.getLocation()) + ": not valid JSON: " + firstLine(e.getOriginalMessage()), e);
        } catch (IOException e) {
            throw new ProfileException(source + ": " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * The line of the value the binding error is about, from the streaming pass (Jackson's own location is where the
     * parser stood when it noticed, often the next line), else Jackson's.
     */
    private static String at(Path source, JsonMappingException e, Map<String, Integer> lines) {
        StringBuilder pointer = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) pointer.append('/').append(r.getFieldName().replace("~", "~0").replace("/", "~1"));
            else if (r.getIndex() >= 0) pointer.append('/').append(r.getIndex());
        }
        Integer line = lines.get(pointer.toString());
        return line == null ? at(source, e.getLocation()) : source + " line " + line;
    }

    private static String at(Path source, JsonLocation loc) {
        return source + (loc == null || loc.getLineNr() < 1 ? "" : " line " + loc.getLineNr());
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) sb.append(sb.length() == 0 ? "" : ".").append(r.getFieldName());
            else if (r.getIndex() >= 0) sb.append('[').append(r.getIndex()).append(']');
        }
        return sb.length() == 0 ? "(top level)" : sb.toString();
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        // Jackson names its own types; the user knows keys and JSON types
        return line.replaceAll("`passthrough\\.core\\.profiles\\.ProfileFile\\$?(\\w*)File`", "$1 object")
                .replaceAll("`java\\.lang\\.String`", "string").replaceAll("`java\\.lang\\.Integer`", "integer")
                .replaceAll("`java\\.util\\.(List|ArrayList)<[^`]*>`", "list").replaceAll("`java\\.util\\.Map<[^`]*>`", "object");
    }

    /** The required-field and id checks, each naming the line of the object or value concerned. */
    private record Check(Path source, Map<String, Integer> lines) {

        Profile profile(ProfileFile f, String fileId) throws ProfileException {
            if (f.format() == null) throw missing("", "format", "the format version, 1");
            if (f.format() != Profile.FORMAT) {
                throw new ProfileException(where("/format") + ": field 'format': version " + f.format() + " is not "
                        + "known to this passthrough (it reads format " + Profile.FORMAT + "); upgrade passthrough or "
                        + "write the profile in format " + Profile.FORMAT);
            }
            if (f.id() == null) throw missing("", "id", "the profile's id, the file name without .json");
            if (!f.id().equals(fileId)) {
                throw new ProfileException(where("/id") + ": field 'id': \"" + f.id() + "\" but the file is named "
                        + fileId + ".json; the id and the file name must be the same");
            }
            if (!ID.matcher(f.id()).matches()) throw bad("/id", "id", "\"" + f.id() + "\" is no valid id (lower-case letters, "
                    + "digits, '.', '-', '_')");
            if (f.name() == null) throw missing("", "name", "a name for people, e.g. \"Debian 12 (bookworm)\"");
            if (f.match() == null) throw missing("", "match", "the os-release it describes: {\"id\": \"debian\", "
                    + "\"versions\": {\"from\": \"12\", \"before\": \"13\"}}");
            if (f.match().id() == null) throw missing("/match", "match.id", "the os-release ID, e.g. \"debian\"");
            VersionRange range = null;
            if (f.match().versions() != null) {
                var v = f.match().versions();
                if (v.from() == null && v.before() == null) {
                    throw bad("/match/versions", "match.versions", "give \"from\" and/or \"before\", or leave versions out");
                }
                range = new VersionRange(v.from(), v.before());
                if (v.from() != null && v.before() != null && VersionRange.compare(v.from(), v.before()) >= 0) {
                    throw bad("/match/versions", "match.versions", "\"from\" " + v.from() + " is not below \"before\" " + v.before());
                }
            }
            List<String> variants = words("/match/variants", "match.variants", f.match().variants());
            List<String> present = evidencePaths("/match/whenPresent", "match.whenPresent", f.match().whenPresent());
            List<String> absent = evidencePaths("/match/whenAbsent", "match.whenAbsent", f.match().whenAbsent());
            for (String p : present) {
                if (absent.contains(p)) throw bad("/match/whenAbsent", "match.whenAbsent", "\"" + p + "\" is also in "
                        + "whenPresent, so no host could match");
            }
            if (f.plugins() == null) throw missing("", "plugins", "the extension ids per extension point");
            var p = f.plugins();
            Profile.Plugins plugins = new Profile.Plugins(ids("hardwareProbes", p.hardwareProbes()), ids("bindings", p.bindings()),
                    ids("bootloaders", p.bootloaders()), ids("earlyModuleLoaders", p.earlyModuleLoaders()),
                    ids("hypervisors", p.hypervisors()), ids("guestQuirks", p.guestQuirks()));
            Map<String, Map<String, String>> settings = new LinkedHashMap<>();
            if (f.settings() != null) {
                for (var e : f.settings().entrySet()) {
                    if (e.getValue() == null) throw bad("/settings/" + e.getKey(), "settings." + e.getKey(), "must be an object");
                    for (var s : e.getValue().entrySet()) {
                        if (s.getValue() == null) {
                            throw bad("/settings/" + e.getKey() + "/" + s.getKey(), "settings." + e.getKey() + "." + s.getKey(),
                                    "must be a string");
                        }
                    }
                    settings.put(e.getKey(), Map.copyOf(e.getValue()));
                }
            }
            Profile.Firmware firmware = null;
            if (f.firmware() != null) {
                var fw = f.firmware();
                if (fw.ovmfCode() == null || fw.ovmfCode().isEmpty()) throw missing("/firmware", "firmware.ovmfCode",
                        "the OVMF code image paths, relative to the root");
                if (fw.ovmfVars() == null || fw.ovmfVars().isEmpty()) throw missing("/firmware", "firmware.ovmfVars",
                        "the OVMF variable-store template paths, relative to the root");
                relativePaths("/firmware/ovmfCode", "firmware.ovmfCode", fw.ovmfCode());
                relativePaths("/firmware/ovmfVars", "firmware.ovmfVars", fw.ovmfVars());
                firmware = new Profile.Firmware(fw.ovmfCode(), fw.ovmfVars(), fw.ovmfPackage());
            }
            List<Profile.HostQuirk> quirks = new ArrayList<>();
            if (f.hostQuirks() != null) {
                for (int i = 0; i < f.hostQuirks().size(); i++) {
                    var q = f.hostQuirks().get(i);
                    String at = "/hostQuirks/" + i;
                    if (q == null) throw bad(at, "hostQuirks[" + i + "]", "must be an object");
                    if (q.file() == null) throw missing(at, "hostQuirks[" + i + "].file", "the file, relative to the root");
                    if (q.key() == null) throw missing(at, "hostQuirks[" + i + "].key", "the setting's name");
                    if (q.value() == null) throw missing(at, "hostQuirks[" + i + "].value", "the value it needs");
                    if (q.why() == null) throw missing(at, "hostQuirks[" + i + "].why", "why the distribution needs it");
                    relativePaths(at + "/file", "hostQuirks[" + i + "].file", List.of(q.file()));
                    quirks.add(new Profile.HostQuirk(q.file(), q.key(), q.value(), q.why()));
                }
            }
            Profile.Packages packages = null;
            if (f.packages() != null) {
                var pk = f.packages();
                if (pk.install() == null || pk.install().isBlank()) throw missing("/packages", "packages.install",
                        "the install command before the package names, e.g. \"apt-get install\"");
                List<Profile.Package> needed = new ArrayList<>();
                List<ProfileFile.PackageFile> list = pk.needed() == null ? List.of() : pk.needed();
                for (int i = 0; i < list.size(); i++) {
                    var n = list.get(i);
                    String at = "/packages/needed/" + i;
                    String field = "packages.needed[" + i + "]";
                    if (n == null) throw bad(at, field, "must be an object");
                    if (n.name() == null) throw missing(at, field + ".name", "the package name");
                    if (n.purpose() == null) throw missing(at, field + ".purpose", "what it is for, e.g. \"run the VM\"");
                    if ((n.command() == null) == (n.file() == null)) {
                        throw bad(at, field, "give exactly one of \"command\" (a command it installs) or \"file\" (a file "
                                + "it installs), so `check` can tell whether it is there");
                    }
                    if (n.file() != null) relativePaths(at + "/file", field + ".file", List.of(n.file()));
                    needed.add(new Profile.Package(n.name(), n.command(), n.file(), n.purpose()));
                }
                packages = new Profile.Packages(pk.install().strip(), needed);
            }
            return new Profile(f.id(), f.name(), new Profile.Match(f.match().id(), range, variants, present, absent), plugins, settings, firmware,
                    quirks, packages, f.notes() == null ? List.of() : f.notes(), source, lines);
        }

        private List<String> ids(String point, List<String> ids) throws ProfileException {
            if (ids == null) return List.of();
            for (int i = 0; i < ids.size(); i++) {
                String id = ids.get(i);
                if (id == null || !ID.matcher(id).matches()) {
                    throw bad("/plugins/" + point + "/" + i, "plugins." + point + "[" + i + "]", (id == null ? "null" : "\"" + id + "\"")
                            + " is no valid extension id");
                }
                if (ids.indexOf(id) != i) throw bad("/plugins/" + point + "/" + i, "plugins." + point + "[" + i + "]",
                        "\"" + id + "\" is listed twice");
            }
            return ids;
        }

        /** os-release values (VARIANT_ID): non-empty words, each once. */
        private List<String> words(String pointer, String field, List<String> values) throws ProfileException {
            if (values == null) return List.of();
            if (values.isEmpty()) throw bad(pointer, field, "an empty list matches no host; leave it out instead");
            for (int i = 0; i < values.size(); i++) {
                String v = values.get(i);
                if (v == null || !v.matches("[A-Za-z0-9._-]+")) throw bad(pointer + "/" + i, field + "[" + i + "]",
                        (v == null ? "null" : "\"" + v + "\"") + " is no os-release value (letters, digits, '.', '-', '_')");
                if (values.indexOf(v) != i) throw bad(pointer + "/" + i, field + "[" + i + "]", "\"" + v + "\" is listed twice");
            }
            return values;
        }

        /** Evidence paths: relative to the root, a '*' only in the last segment (as plugins' host files). */
        private List<String> evidencePaths(String pointer, String field, List<String> paths) throws ProfileException {
            if (paths == null) return List.of();
            if (paths.isEmpty()) throw bad(pointer, field, "an empty list says nothing; leave it out instead");
            for (int i = 0; i < paths.size(); i++) {
                String p = paths.get(i);
                relativePaths(pointer + "/" + i, field + "[" + i + "]", java.util.Collections.singletonList(p));
                String dir = p.contains("/") ? p.substring(0, p.lastIndexOf('/')) : "";
                if (dir.contains("*") || p.endsWith("/")) throw bad(pointer + "/" + i, field + "[" + i + "]", "\"" + p
                        + "\": a '*' may stand only in the last part of the path, and the path must name a file or directory");
                if (paths.indexOf(p) != i) throw bad(pointer + "/" + i, field + "[" + i + "]", "\"" + p + "\" is listed twice");
            }
            return paths;
        }

        private void relativePaths(String pointer, String field, List<String> paths) throws ProfileException {
            for (String p : paths) {
                if (p == null || p.isEmpty() || p.startsWith("/") || List.of(p.split("/")).contains("..")) {
                    throw bad(pointer, field, "\"" + p + "\" must be a path relative to the root (usr/share/..., no '/' "
                            + "at the start, no '..')");
                }
            }
        }

        private ProfileException missing(String objectPointer, String field, String what) {
            return new ProfileException(where(objectPointer) + ": field '" + field + "' is missing: " + what + "; " + HELP);
        }

        private ProfileException bad(String pointer, String field, String reason) {
            return new ProfileException(where(pointer) + ": field '" + field + "': " + reason + "; " + HELP);
        }

        private String where(String pointer) {
            Integer line = lines.get(pointer);
            return source + (line == null ? "" : " line " + line);
        }
    }
}
