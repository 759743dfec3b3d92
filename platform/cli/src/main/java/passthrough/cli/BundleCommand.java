package passthrough.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.concurrent.Callable;
import passthrough.cli.json.ProfileBundleJson;
import passthrough.core.bundle.BundleRefusedException;
import passthrough.core.bundle.BundleWriter;
import passthrough.core.bundle.SigningKeys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `passthrough profiles bundle DIR --out FILE [--sign KEY]`: one zip of profiles and plugins, with manifest and signature. */
@Command(name = "bundle", exitCodeListHeading = "%nExit status:%n", exitCodeList = {" 0:the bundle was written", " 2:usage error", " 3:refused (a profile or plugin jar that would not install)", " 4:the bundle could not be written"},
        mixinStandardHelpOptions = true,
        description = {"Make a profile bundle from DIR, which holds profiles/<id>.json and optionally plugins/<name>.jar "
                + "(nothing else, no links): a zip with a SHA-256 manifest and, with --sign, an Ed25519 signature of it "
                + "(docs/bundles.md).",
            "The same DIR always gives the same bytes."})
final class BundleCommand extends NestedSubcommand implements Callable<Integer> {

    @Parameters(paramLabel = "DIR", description = "The directory holding profiles/ and plugins/.")
    Path dir;

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "The bundle file to write (replaced if it exists).")
    Path out;

    @Option(names = "--sign", paramLabel = "KEY",
            description = "Sign with this Ed25519 private key (PEM, from `passthrough profiles keygen` or `openssl genpkey "
                    + "-algorithm ed25519`). Without it the bundle installs only with --allow-unsigned.")
    Path key;

    @Override
    public Integer call() {
        if (!Files.isDirectory(dir)) throw new UserError(ExitCodes.USAGE, dir + ": no such directory; give the directory holding profiles/");
        if (key != null && !Files.isRegularFile(key)) {
            throw new UserError(ExitCodes.USAGE, "--sign " + key + ": no such file; give the .key file of `passthrough profiles keygen`");
        }
        Path parent = out.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new UserError(ExitCodes.USAGE, "--out " + out + ": its directory does not exist; create it first");
        }
        try {
            PrivateKey signingKey = key == null ? null : SigningKeys.readPrivateKey(key);
            BundleWriter.Written w = BundleWriter.write(dir, out, signingKey);
            if (global().json) {
                printJson(new ProfileBundleJson.Bundled(w.file().toString(), w.profiles(), w.plugins(), w.signed()));
                return ExitCodes.OK;
            }
            out().println("Wrote " + w.file() + ": profiles " + String.join(", ", w.profiles())
                    + (w.plugins().isEmpty() ? "" : "; plugins " + String.join(", ", w.plugins()))
                    + (w.signed() ? "; signed" : "; NOT signed (installs only with --allow-unsigned)"));
            out().flush();
            return ExitCodes.OK;
        } catch (BundleRefusedException e) {
            throw new UserError(ExitCodes.REFUSED, "refused: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UserError(ExitCodes.IO_ERROR, out + ": cannot make the bundle (" + e.getMessage() + "); check the files and the disk, then try again", e);
        }
    }
}
