package passthrough.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.concurrent.Callable;
import passthrough.cli.json.ProfileBundleJson;
import passthrough.core.bundle.BundleRefusedException;
import passthrough.core.bundle.SigningKeys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `passthrough profiles keygen --out PREFIX`: an Ed25519 key pair for signing bundles, without openssl. */
@Command(name = "keygen", exitCodeListHeading = "%nExit status:%n", exitCodeList = {" 0:the key pair was written", " 2:usage error", " 3:refused (an existing key is never overwritten)", " 4:the keys could not be written"},
        mixinStandardHelpOptions = true,
        description = {"Make an Ed25519 key pair for signing profile bundles: PREFIX.key (private, PEM PKCS#8, mode 0600) "
                + "and PREFIX.pub (public, PEM), the same files `openssl genpkey -algorithm ed25519` and "
                + "`openssl pkey -pubout` make.",
            "Hosts trust bundles signed with it once PREFIX.pub is copied to <root>/etc/passthrough/trusted-keys/."})
final class KeygenCommand extends NestedSubcommand implements Callable<Integer> {

    @Option(names = "--out", paramLabel = "PREFIX", required = true,
            description = "Write PREFIX.key and PREFIX.pub; neither may exist.")
    Path prefix;

    @Override
    public Integer call() {
        Path parent = prefix.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new UserError(ExitCodes.USAGE, "--out " + prefix + ": the directory " + parent + " does not exist; create it first");
        }
        KeyPair pair = SigningKeys.generate();
        Path[] files;
        try {
            files = SigningKeys.writeKeyPair(pair, prefix);
        } catch (BundleRefusedException e) {
            throw new UserError(ExitCodes.REFUSED, "refused: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UserError(ExitCodes.IO_ERROR, prefix + ": cannot write the key pair (" + e.getMessage() + ")", e);
        }
        String fingerprint = SigningKeys.fingerprint(pair.getPublic());
        if (global().json) {
            printJson(new ProfileBundleJson.Keygen(files[0].toString(), files[1].toString(), fingerprint));
        } else {
            out().println("Private key: " + files[0] + " (mode 0600; keep it secret, sign with `passthrough profiles bundle --sign "
                    + files[0] + "`)");
            out().println("Public key:  " + files[1] + " (" + fingerprint + ")");
            out().println("To trust it on a host: copy " + files[1] + " to /etc/passthrough/trusted-keys/");
            out().flush();
        }
        return ExitCodes.OK;
    }
}
