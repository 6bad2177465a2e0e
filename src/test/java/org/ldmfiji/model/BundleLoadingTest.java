package org.ldmfiji.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Loading real TorchScript bundles: the one-forward shape checks turn a wrong manifest into a clear error. */
class BundleLoadingTest {

	@TempDir
	Path tmp;

	/** A copy of the demo bundle whose model.json has the first match of {@code regex} replaced. */
	private Path editedCopy(String regex, String replacement) throws IOException {
		Path copy = TestBundles.copy(TestBundles.demo(), tmp.resolve("edited"));
		Path json = copy.resolve(Manifest.FILE_NAME);
		String text = Files.readString(json);
		assertTrue(java.util.regex.Pattern.compile(regex).matcher(text).find(), "model.json should match " + regex);
		Files.writeString(json, text.replaceFirst(regex, replacement));
		return copy;
	}

	@Test
	void opensTheDemoBundleAndRoundTripsShapes() {
		try (ModelBundle bundle = ModelBundle.open(TestBundles.demo(), Device.cpu());
			NDManager m = NDManager.newBaseManager(Device.cpu()))
		{
			Manifest man = bundle.manifest();
			int f = man.autoencoder.factor;
			NDArray z = bundle.encode(m.zeros(new Shape(1, man.imageChannels, 8 * f, 12 * f)));
			assertEquals(new Shape(1, man.autoencoder.latentChannels, 8, 12), z.getShape());
			assertEquals(new Shape(1, man.imageChannels, 8 * f, 12 * f), bundle.decode(z).getShape());
			for (String task : man.denoisers.keySet()) bundle.denoiser(task); // each passes its shape check
		}
	}

	@Test
	void wrongDownsamplingFactorIsCaughtByTheForwardCheck() throws IOException {
		Path bad = editedCopy("(\"downsampling_factor\":\\s*)\\d+", "$18");
		BundleException e = assertThrows(BundleException.class, () -> ModelBundle.open(bad, Device.cpu()).close());
		assertTrue(e.getMessage().contains("encoder.pt") && e.getMessage().contains("returns shape"), e.getMessage());
	}

	@Test
	void wrongImageChannelCountIsRejectedByTheForwardCheck() throws IOException {
		Path bad = editedCopy("(\"image\":\\s*\\{\\s*\"channels\":\\s*)1", "$12");
		BundleException e = assertThrows(BundleException.class, () -> ModelBundle.open(bad, Device.cpu()).close());
		assertTrue(e.getMessage().contains("encoder") && e.getMessage().contains("rejects"), e.getMessage());
		// the engine's reason, not the first line of its TorchScript traceback
		assertTrue(e.getMessage().contains("to have 1 channels, but got 2 channels"), e.getMessage());
		assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
	}

	@Test
	void wrongDenoiserInputLayoutIsCaughtWhenTheTaskLoads() throws IOException {
		Path bad = editedCopy("(\"name\":\\s*\"mask\",\\s*\"channels\":\\s*)1", "$12");
		try (ModelBundle bundle = ModelBundle.open(bad, Device.cpu())) {
			BundleException e = assertThrows(BundleException.class, () -> bundle.denoiser("inpaint"));
			assertTrue(e.getMessage().contains("inpaint") && e.getMessage().contains("mask 2"), e.getMessage());
		}
	}

	@Test
	void anEngineFailureInAForwardNamesThePartAndTheReason() {
		try (ModelBundle bundle = ModelBundle.open(TestBundles.demo(), Device.cpu());
			NDManager m = NDManager.newBaseManager(Device.cpu()))
		{
			int c = bundle.manifest().autoencoder.latentChannels + 1;
			BundleException e = assertThrows(BundleException.class, () -> bundle.decode(m.zeros(new Shape(1, c, 8, 8))));
			assertTrue(e.getMessage().startsWith("decoder.pt failed on the input (1, " + c + ", 8, 8)"), e.getMessage());
			assertTrue(e.getMessage().contains("but got " + c + " channels"), e.getMessage());
			assertTrue(e.getMessage().contains("smaller tile size") && !e.getMessage().contains("\n"), e.getMessage());
		}
	}

	@Test
	void notTorchScriptIsAClearError() throws IOException {
		Path copy = TestBundles.copy(TestBundles.demo(), tmp.resolve("garbage"));
		Path decoder = copy.resolve("decoder.pt");
		Files.writeString(decoder, "not a TorchScript archive");
		Path json = copy.resolve(Manifest.FILE_NAME);
		String text = Files.readString(json);
		String oldHash = Manifest.read(TestBundles.demo()).autoencoder.decoder.sha256;
		Files.writeString(json, text.replace(oldHash, Sha256.of(decoder)));
		BundleException e = assertThrows(BundleException.class, () -> ModelBundle.open(copy, Device.cpu()).close());
		assertTrue(e.getMessage().contains("decoder.pt") && e.getMessage().contains("TorchScript"), e.getMessage());
	}
}
