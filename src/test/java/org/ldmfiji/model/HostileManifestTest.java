package org.ldmfiji.model;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A tampered bundle (issue #16): a huge or deeply nested model.json, absurd numbers, links and paths that leave the
 * folder. Each gives a BundleException whose one-line message names the file, the field and what is allowed; none
 * reads outside the bundle folder, allocates what the numbers ask for, or overflows the stack.
 */
class HostileManifestTest {

	@TempDir
	Path tmp;

	private Path dir;
	private String json;

	@BeforeEach
	void writeBundle() throws IOException {
		dir = Files.createDirectories(tmp.resolve("bundle"));
		json = String.join("\n",
			"{\"format_version\": 1, \"name\": \"t\", \"image\": {\"channels\": 1, \"range\": [-1, 1]},",
			" \"autoencoder\": {\"type\": \"kl\", \"encoder\": " + file("enc.pt") + ", \"decoder\": " + file("dec.pt") + ",",
			"   \"downsampling_factor\": 4, \"latent_channels\": 3, \"scale_factor\": 0.5},",
			" \"schedule\": {\"beta_schedule\": \"linear\", \"linear_start\": 0.0015, \"linear_end\": 0.0205, \"timesteps\": 1000},",
			" \"denoisers\": {\"inpaint\": {\"file\": \"inp.pt\", \"sha256\": \"" + hash(dir.resolve("inp.pt")) + "\",",
			"   \"prediction\": \"eps\", \"native_size\": 64, \"latent_multiple\": 4,",
			"   \"inputs\": [{\"name\": \"noisy_latent\", \"channels\": 3},",
			"   {\"name\": \"masked_image_latent\", \"channels\": 3}, {\"name\": \"mask\", \"channels\": 1, \"resize\": \"nearest\", \"range\": [-1, 1]}]}},",
			" \"data\": {\"training\": \"x\", \"held_out\": []}}");
		save();
		assertDoesNotThrow(() -> ModelBundle.verifyFiles(Manifest.read(dir)), "the untampered bundle must be accepted");
	}

	private String file(String name) throws IOException {
		return "{\"file\": \"" + name + "\", \"sha256\": \"" + hash(dir.resolve(name)) + "\"}";
	}

	private static String hash(Path p) throws IOException {
		if (!Files.exists(p)) Files.write(p, ("contents of " + p.getFileName()).getBytes(StandardCharsets.UTF_8));
		return Sha256.of(p);
	}

	private void save() throws IOException {
		Files.writeString(dir.resolve(Manifest.FILE_NAME), json);
	}

	/** The message of reading and verifying the bundle after replacing {@code from} by {@code to} in model.json. */
	private String errorAfter(String from, String to) throws IOException {
		assertTrue(json.contains(from), from);
		json = json.replace(from, to);
		save();
		return error();
	}

	private String error() {
		String msg = assertThrows(BundleException.class, () -> ModelBundle.verifyFiles(Manifest.read(dir))).getMessage();
		assertTrue(!msg.contains("\n"), "one line: " + msg);
		return msg;
	}

	private static void assertHas(String msg, String... parts) {
		for (String p : parts) assertTrue(msg.contains(p), "expected '" + p + "' in: " + msg);
	}

	@Test
	void aManifestOver1MiBIsRefusedBeforeItIsParsed() throws IOException {
		try (OutputStream out = Files.newOutputStream(dir.resolve(Manifest.FILE_NAME))) {
			out.write(json.getBytes(StandardCharsets.UTF_8));
			byte[] spaces = new byte[1 << 20];
			java.util.Arrays.fill(spaces, (byte) ' ');
			for (int i = 0; i < 50; i++) out.write(spaces); // 50 MB of valid JSON whitespace
		}
		assertHas(error(), "model.json", "is 52", "bytes", "at most 1 MiB");
	}

	@Test
	void deepNestingIsRefusedWithoutOverflowingTheStack() throws IOException {
		String deep = "[".repeat(100_000) + "]".repeat(100_000);
		assertHas(errorAfter("\"held_out\": []", "\"held_out\": " + deep), "model.json", "$.data.held_out",
			"nested deeper than 64");
		writeBundle();
		String objects = "{\"a\":".repeat(100_000) + "1" + "}".repeat(100_000);
		assertHas(errorAfter("\"training\": \"x\"", "\"training\": " + objects), "nested deeper than 64");
	}

	@Test
	void hugeTimestepsAreRefusedBeforeTheScheduleIsAllocated() throws IOException {
		assertHas(errorAfter("\"timesteps\": 1000", "\"timesteps\": 2e9"), "model.json", "$.schedule.timesteps",
			"an integer from 2 to 10000", "got 2e9");
	}

	@Test
	void hugeLatentMultipleAndFactorsAreRefused() throws IOException {
		assertHas(errorAfter("\"latent_multiple\": 4", "\"latent_multiple\": 1000000000"),
			"$.denoisers.inpaint.latent_multiple", "an integer from 1 to 64", "got 1000000000");
		writeBundle();
		json = json.replace("\"downsampling_factor\": 4", "\"downsampling_factor\": 16");
		assertHas(errorAfter("\"latent_multiple\": 4", "\"latent_multiple\": 64"), "$.denoisers.inpaint.latent_multiple",
			"64 x downsampling_factor 16", "at most 512");
		writeBundle();
		assertHas(errorAfter("\"downsampling_factor\": 4", "\"downsampling_factor\": 3"), "$.autoencoder.downsampling_factor",
			"1, 2, 4, 8, 16, 32 or 64");
		writeBundle();
		assertHas(errorAfter("\"latent_channels\": 3", "\"latent_channels\": 1e7"), "$.autoencoder.latent_channels",
			"from 1 to 256");
	}

	@Test
	void negativeAndZeroSizesAreRefused() throws IOException {
		assertHas(errorAfter("\"native_size\": 64", "\"native_size\": -128"), "$.denoisers.inpaint.native_size",
			"an integer from 1 to 4096", "got -128");
		writeBundle();
		assertHas(errorAfter("\"channels\": 1, \"range\"", "\"channels\": 0, \"range\""), "$.image.channels",
			"from 1 to 64", "got 0");
		writeBundle();
		assertHas(errorAfter("\"channels\": 1, \"resize\"", "\"channels\": 1.5, \"resize\""),
			"$.denoisers.inpaint.inputs[2].channels", "an integer", "got 1.5");
	}

	@Test
	void nanAndInfinityAreRefused() throws IOException {
		assertHas(errorAfter("\"scale_factor\": 0.5", "\"scale_factor\": Infinity"), "model.json", "not valid JSON",
			"$.autoencoder.scale_factor", "NaN and Infinity");
		writeBundle();
		assertHas(errorAfter("\"scale_factor\": 0.5", "\"scale_factor\": NaN"), "$.autoencoder.scale_factor");
		writeBundle();
		assertHas(errorAfter("\"scale_factor\": 0.5", "\"scale_factor\": 1e999"), "$.autoencoder.scale_factor",
			"1e999", "not a finite");
		writeBundle();
		assertHas(errorAfter("\"channels\": 1, \"range\": [-1, 1]}", "\"channels\": 1, \"range\": [-1e400, 1]}"),
			"$.image.range", "-1e400");
		writeBundle();
		assertHas(errorAfter("\"scale_factor\": 0.5", "\"scale_factor\": 1e300"), "$.autoencoder.scale_factor",
			"greater than 0 and at most 10000");
	}

	@Test
	void wrongTypesInsideARangeAreABundleError() throws IOException {
		assertHas(errorAfter("\"channels\": 1, \"range\": [-1, 1]}", "\"channels\": 1, \"range\": [{}, \"a\"]}"),
			"$.image.range", "must be [min, max]");
	}

	@Test
	void overlongStringsAndArraysAreRefused() throws IOException {
		assertHas(errorAfter("\"training\": \"x\"", "\"training\": \"" + "x".repeat(70_000) + "\""), "$.data.training",
			"longer than 65536");
		writeBundle();
		assertHas(errorAfter("\"held_out\": []", "\"held_out\": [" + "0,".repeat(200_000) + "0]"), "$.data.held_out",
			"more than 100000");
		writeBundle();
		assertHas(errorAfter("\"name\": \"t\"", "\"name\": \"t\\nFAKE LINE\""), "$.name", "control characters");
	}

	@Test
	void duplicateKeysAreRefused() throws IOException {
		assertHas(errorAfter("\"timesteps\": 1000", "\"timesteps\": 1000, \"timesteps\": 10"), "$.schedule",
			"\"timesteps\" twice");
	}

	@Test
	void partPathsThatLeaveTheFolderAreRefusedAsText() throws IOException {
		Path secret = tmp.resolve("secret.pt");
		String h = hash(secret);
		String enc = "{\"file\": \"enc.pt\", \"sha256\": \"" + hash(dir.resolve("enc.pt")) + "\"}";
		assertHas(errorAfter(enc, "{\"file\": \"../secret.pt\", \"sha256\": \"" + h + "\"}"),
			"$.autoencoder.encoder.file", "'../secret.pt'", "a file name inside the bundle folder");
		writeBundle();
		assertHas(errorAfter(enc, "{\"file\": \"" + secret.toAbsolutePath() + "\", \"sha256\": \"" + h + "\"}"),
			"$.autoencoder.encoder.file", "a file name inside the bundle folder");
	}

	@Test
	void aPartThatLinksOutOfTheFolderIsNotRead() throws IOException {
		Path secret = tmp.resolve("secret.pt");
		String h = hash(secret);
		String own = hash(dir.resolve("dec.pt"));
		Files.delete(dir.resolve("dec.pt"));
		Files.createSymbolicLink(dir.resolve("dec.pt"), secret);
		assertHas(errorAfter("\"decoder\": {\"file\": \"dec.pt\", \"sha256\": \"" + own + "\"}",
			"\"decoder\": {\"file\": \"dec.pt\", \"sha256\": \"" + h + "\"}"), "dec.pt", "outside the bundle folder");
		// through the public entry point: refused before any engine starts
		String msg = assertThrows(BundleException.class, () -> ModelBundle.open(dir, Device.cpu()).close()).getMessage();
		assertHas(msg, "dec.pt", "outside the bundle folder", secret.toRealPath().toString());
	}

	@Test
	void aManifestThatLinksOutOfTheFolderIsNotRead() throws IOException {
		Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
		Files.move(dir.resolve(Manifest.FILE_NAME), elsewhere.resolve(Manifest.FILE_NAME));
		Files.createSymbolicLink(dir.resolve(Manifest.FILE_NAME), elsewhere.resolve(Manifest.FILE_NAME));
		assertHas(error(), "model.json", "outside the bundle folder");
	}

	@Test
	void aLinkedBundleFolderAndLinksInsideItStillWork() throws IOException {
		Path link = Files.createSymbolicLink(tmp.resolve("linked-bundle"), dir);
		Files.move(dir.resolve("enc.pt"), dir.resolve("enc-v1.pt"));
		Files.createSymbolicLink(dir.resolve("enc.pt"), dir.resolve("enc-v1.pt"));
		assertDoesNotThrow(() -> ModelBundle.verifyFiles(Manifest.read(link)));
	}
}
