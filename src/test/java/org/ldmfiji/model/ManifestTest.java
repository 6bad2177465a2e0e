package org.ldmfiji.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/** Manifest parsing and file verification: every problem is an error naming the file and the fix. */
class ManifestTest {

	@TempDir
	Path dir;

	private JsonObject manifest;

	@BeforeEach
	void writeBundle() throws IOException {
		manifest = JsonParser.parseString(String.join("\n",
			"{\"format_version\": 1, \"name\": \"t\", \"image\": {\"channels\": 1, \"range\": [-1, 1]},",
			" \"autoencoder\": {\"type\": \"kl\", \"encoder\": " + file("enc.pt") + ", \"decoder\": " + file("dec.pt") + ",",
			"   \"downsampling_factor\": 4, \"latent_channels\": 3, \"scale_factor\": 0.5},",
			" \"schedule\": {\"beta_schedule\": \"linear\", \"linear_start\": 0.0015, \"linear_end\": 0.0205, \"timesteps\": 1000},",
			" \"denoisers\": {\"inpaint\": {\"file\": \"inp.pt\", \"sha256\": \"" + hash("inp.pt") + "\", \"prediction\": \"eps\",",
			"   \"native_size\": 64, \"latent_multiple\": 4, \"inputs\": [{\"name\": \"noisy_latent\", \"channels\": 3},",
			"   {\"name\": \"masked_image_latent\", \"channels\": 3}, {\"name\": \"mask\", \"channels\": 1, \"resize\": \"nearest\", \"range\": [-1, 1]}]}}}"))
			.getAsJsonObject();
		save();
	}

	private String file(String name) throws IOException {
		return "{\"file\": \"" + name + "\", \"sha256\": \"" + hash(name) + "\"}";
	}

	private String hash(String name) throws IOException {
		Path p = dir.resolve(name);
		if (!Files.exists(p)) Files.write(p, ("contents of " + name).getBytes(StandardCharsets.UTF_8));
		return Sha256.of(p);
	}

	private void save() throws IOException {
		Files.writeString(dir.resolve(Manifest.FILE_NAME), manifest.toString());
	}

	private String errorAfter(Consumer<JsonObject> edit) throws IOException {
		edit.accept(manifest);
		save();
		return assertThrows(BundleException.class, () -> ModelBundle.verifyFiles(Manifest.read(dir))).getMessage();
	}

	@Test
	void readsEveryField() {
		Manifest m = Manifest.read(dir);
		assertEquals("t", m.name);
		assertEquals(4, m.autoencoder.factor);
		assertEquals(0.5, m.autoencoder.scaleFactor);
		Manifest.DenoiserSpec d = m.denoiser("inpaint");
		assertEquals(7, d.inputChannels());
		assertEquals("mask", d.inputs.get(2).name);
		assertEquals(1000, m.schedule.timesteps());
		assertFalse(d.predictsV);
		ModelBundle.verifyFiles(m); // hashes match
	}

	@Test
	void missingFileIsNamed() throws IOException {
		Files.delete(dir.resolve("dec.pt"));
		String msg = assertThrows(BundleException.class, () -> ModelBundle.verifyFiles(Manifest.read(dir))).getMessage();
		assertTrue(msg.contains("dec.pt") && msg.contains("missing"), msg);
	}

	@Test
	void damagedFileFailsItsHash() throws IOException {
		Files.writeString(dir.resolve("inp.pt"), "tampered");
		String msg = assertThrows(BundleException.class, () -> ModelBundle.verifyFiles(Manifest.read(dir))).getMessage();
		assertTrue(msg.contains("inp.pt") && msg.contains("SHA-256"), msg);
	}

	@Test
	void unknownFormatVersionSaysWhatToDo() throws IOException {
		String msg = errorAfter(m -> m.addProperty("format_version", 7));
		assertTrue(msg.contains("format_version") && msg.contains("update the plugin"), msg);
	}

	@Test
	void wrongLatentChannelCountIsCaught() throws IOException {
		String msg = errorAfter(m -> m.getAsJsonObject("denoisers").getAsJsonObject("inpaint").getAsJsonArray("inputs")
			.get(1).getAsJsonObject().addProperty("channels", 4));
		assertTrue(msg.contains("masked_image_latent") && msg.contains("4 channels") && msg.contains("latent has 3"), msg);
	}

	@Test
	void missingNoisyLatentIsCaught() throws IOException {
		String msg = errorAfter(m -> {
			JsonArray inputs = m.getAsJsonObject("denoisers").getAsJsonObject("inpaint").getAsJsonArray("inputs");
			inputs.remove(0);
		});
		assertTrue(msg.contains("noisy_latent"), msg);
	}

	@Test
	void unknownTaskAndScheduleAreNamed() throws IOException {
		String task = errorAfter(m -> m.getAsJsonObject("denoisers").add("denoise", new JsonObject()));
		assertTrue(task.contains("denoise") && task.contains("inpaint"), task);
		writeBundle();
		String sched = errorAfter(m -> m.getAsJsonObject("schedule").addProperty("beta_schedule", "quadratic"));
		assertTrue(sched.contains("quadratic") && sched.contains("sqrt_linear"), sched);
	}

	@Test
	void invalidJsonAndMissingManifest() throws IOException {
		Files.writeString(dir.resolve(Manifest.FILE_NAME), "{not json");
		assertTrue(assertThrows(BundleException.class, () -> Manifest.read(dir)).getMessage().contains("not valid JSON"));
		Files.delete(dir.resolve(Manifest.FILE_NAME));
		assertTrue(assertThrows(BundleException.class, () -> Manifest.read(dir)).getMessage().contains("no model.json"));
	}

	@Test
	void askingForAnAbsentTaskListsTheOffered() {
		String msg = assertThrows(BundleException.class, () -> Manifest.read(dir).denoiser("superres")).getMessage();
		assertTrue(msg.contains("superres") && msg.contains("[inpaint]"), msg);
	}

	@Test
	void locatorFindsByNameAndPathAndExplainsMisses() throws IOException {
		Path models = Files.createDirectories(dir.resolve("models"));
		Path bundle = Files.createDirectories(models.resolve("mine"));
		Files.copy(dir.resolve(Manifest.FILE_NAME), bundle.resolve(Manifest.FILE_NAME));
		BundleLocator locator = new BundleLocator(java.util.List.of(dir.resolve("nowhere"), models));
		assertEquals(bundle.toAbsolutePath(), locator.find("mine"));
		assertEquals(bundle.toAbsolutePath(), locator.find(bundle.toString()));
		assertEquals(bundle.toAbsolutePath(), locator.find(bundle.resolve("model.json").toString()));
		String msg = assertThrows(BundleException.class, () -> locator.find("other")).getMessage();
		assertTrue(msg.contains("'other' not found") && msg.contains("[mine]"), msg);
	}

	@Test
	void dtypeDefaultsToFloat32AndOnlyKnownTypesAreRead() throws IOException {
		assertEquals("float32", Manifest.read(dir).dtype);
		manifest.addProperty("dtype", "bfloat16");
		save();
		assertEquals("bfloat16", Manifest.read(dir).dtype);
		manifest.addProperty("dtype", "int8");
		save();
		String m = assertThrows(BundleException.class, () -> Manifest.read(dir)).getMessage();
		assertTrue(m.contains("dtype") && m.contains("'int8'") && m.contains("float16"), m);
	}
}
