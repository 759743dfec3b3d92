package passthrough.core.plan;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** Hand-edited plans that read as JSON but that apply could not use: refused with the file's name (found by PlanFilesFuzzTest). */
class PlanFilesTest {
    @TempDir
    Path tmp;

    static String plan(String files, String commands) {
        return "{\"format\":1,\"root\":\"/r\",\"target\":\"0000:65:00.0\",\"iommuGroup\":34,\"binding\":\"pci-stub\",\"byAddress\":false,"
                + "\"reserved\":[],\"kernelParameters\":\"quiet\",\"files\":" + files + ",\"commands\":" + commands
                + ",\"findings\":[],\"rebootRequired\":true}";
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "null",
        "FILES[{\"path\":null,\"beforeDigest\":\"absent\",\"after\":\"x\",\"reason\":\"r\",\"plugin\":\"p\",\"executable\":false}]",
        "FILES[{\"path\":\"etc/x\",\"beforeDigest\":\"2147483647\",\"after\":\"x\",\"reason\":\"r\",\"plugin\":\"p\",\"executable\":false}]",
        "FILES[{\"path\":\"etc/x\",\"after\":\"x\",\"reason\":\"r\",\"plugin\":\"p\",\"executable\":false}]",
        "FILES[null]",
        "COMMANDS[{\"argv\":[],\"reason\":\"r\",\"plugin\":\"p\"}]",
        "COMMANDS[{\"argv\":[\"\"],\"reason\":\"r\",\"plugin\":\"p\"}]"})
    void anUnusablePlanIsAnIOExceptionNamingTheFile(String variant) throws IOException {
        String text = variant.equals("null") ? "null"
                : variant.startsWith("FILES") ? plan(variant.substring(5), "[]") : plan("[]", variant.substring(8));
        Path file = Files.writeString(tmp.resolve("plan.json"), text);
        IOException e = assertThrows(IOException.class, () -> PlanFiles.read(file));
        assertTrue(e.getMessage().startsWith(file.toString() + ": not a"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "\"card\":[{\"address\":\"0000:65:00.1\",\"name\":\"Audio\",\"group\":35,\"reserved\":false}]",
        "\"card\":[null]",
        "\"iommuGroups\":[34,null]",
        "\"targets\":[\"0000:05:00.0\",\"0000:65:00.0\"]",
        "\"targets\":[\"0000:65:00.0\",null]",
        "\"targets\":[]",
        "\"files\":[{\"path\":\"etc/x\",\"beforeDigest\":\"absent\",\"after\":\"x\",\"reason\":\"r\",\"plugin\":\"p\","
                + "\"executable\":false,\"charset\":\"EBCDIC\"}]"})
    void aHandEditedCardGroupListOrCharsetIsRefusedNamingTheField(String field) throws IOException {
        // found by PlanFilesFuzzTest: a card function without "why" crashed the plan printout with exit 70
        String text = plan("[]", "[]").replace("\"files\":[]", field.startsWith("\"files\"") ? field : "\"files\":[]," + field);
        Path file = Files.writeString(tmp.resolve("plan.json"), text);
        IOException e = assertThrows(IOException.class, () -> PlanFiles.read(file));
        assertTrue(e.getMessage().contains(field.substring(1, field.indexOf('"', 1))), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]"})
    void aPlanWithoutFilesOrCommandsStillReads(String empty) throws IOException {
        Path file = Files.writeString(tmp.resolve("plan.json"), plan(empty, empty));
        assertTrue(PlanFiles.read(file).changesNothing());
        assertTrue(List.of().isEmpty());
    }

    /** A plan saved before several --device could be named has no "targets": it reads as the one target. */
    @org.junit.jupiter.api.Test
    void aPlanWithoutTargetsReadsAsItsOneTarget() throws IOException {
        Path file = Files.writeString(tmp.resolve("old.json"), plan("[]", "[]"));
        org.junit.jupiter.api.Assertions.assertEquals(List.of("0000:65:00.0"), PlanFiles.read(file).targets());
        org.junit.jupiter.api.Assertions.assertEquals(List.of(34), PlanFiles.read(file).iommuGroups());
        Path two = Files.writeString(tmp.resolve("two.json"), plan("[]", "[]").replace("\"iommuGroup\":34",
                "\"targets\":[\"0000:65:00.0\",\"0000:05:00.0\"],\"iommuGroup\":34,\"iommuGroups\":[34,13]"));
        org.junit.jupiter.api.Assertions.assertEquals(List.of("0000:65:00.0", "0000:05:00.0"), PlanFiles.read(two).targets());
    }

    /** `plan --json` wraps the plan in the CLI's envelope; that output is a plan file too, other unknown fields are not. */
    @org.junit.jupiter.api.Test
    void theJsonEnvelopeIsAcceptedButOtherUnknownFieldsAreRefused() throws IOException {
        String body = plan("[]", "[]").substring(1);
        Path wrapped = Files.writeString(tmp.resolve("wrapped.json"), "{\"schemaVersion\":1,\"command\":\"plan\"," + body);
        org.junit.jupiter.api.Assertions.assertEquals("0000:65:00.0", PlanFiles.read(wrapped).target());
        Path unknown = Files.writeString(tmp.resolve("unknown.json"), "{\"surprise\":1," + body);
        IOException e = assertThrows(IOException.class, () -> PlanFiles.read(unknown));
        assertTrue(e.getMessage().contains("surprise"), e.getMessage());
    }
}
