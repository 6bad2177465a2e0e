package org.ldmfiji.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;


import org.junit.jupiter.api.Test;
import org.ldmfiji.diffusion.StepListener;
import org.ldmfiji.image.FloatPlanes;
import org.ldmfiji.model.ModelBundle;
import org.ldmfiji.tiling.MemoryEstimate;
import org.ldmfiji.tiling.TileSettings;

import java.util.Arrays;

/** Large-image sampling with the stand-in bundle, end to end at small sizes: size, determinism, batching, refusal. */
class LargeImageSamplingTest {

	private static final ModelBundle bundle = DemoModel.get();

	private static final SamplingSettings TWO_STEPS = new SamplingSettings(SamplingSettings.SamplerKind.DPMPP2M, 2, 5, 0);

	/** 150x70 px: a 40x20 latent after padding to 16 px, in 64-px tiles (16 latent) with 16 px overlap: 3x2 tiles. */
	private static FloatPlanes sample(int batch, long seed) {
		TileSettings tiles = TileSettings.defaults(bundle.manifest(), LargeImageSampling.TASK).withTile(64, 16).withBatch(batch)
			.withAutoencoderTile(64, 16);
		SamplingSettings s = new SamplingSettings(TWO_STEPS.sampler, TWO_STEPS.steps, seed, 0);
		return new LargeImageSampling(bundle, s, tiles).run(150, 70, "phase", 2.0, StepListener.NONE);
	}

	@Test
	void anySizeIsSampledReproduciblyAndBatchingDoesNotChangeIt() {
		FloatPlanes a = sample(1, 5);
		assertEquals(150, a.width(), "width");
		assertEquals(70, a.height(), "height");
		assertEquals(bundle.manifest().imageChannels, a.channels(), "channels");
		assertEquals(0, a.countNaN(), "no NaN");
		assertArrayEquals(a.data(), sample(1, 5).data(), "same seed and layout: expected a bit-identical image");
		FloatPlanes batched = sample(4, 5);
		double max = 0;
		for (int i = 0; i < a.data().length; i++) max = Math.max(max, Math.abs(a.data()[i] - batched.data()[i]));
		System.out.println("tile batch 4 vs 1, largest pixel difference: " + max);
		// the fusion is batch-independent by construction (TiledDenoiserTest: bit-identical); the model's batched
		// convolutions may round differently, by float32 rounding only
		assertTrue(max < 1e-4, "tile batch 4 changed the image by up to " + max);
		assertFalse(Arrays.equals(a.data(), sample(1, 6).data()), "another seed: expected another image");
	}

	@Test
	void runsThatCannotFitAreRefusedBeforeStarting() {
		TileSettings tiles = TileSettings.defaults(bundle.manifest(), LargeImageSampling.TASK).withBatch(1);
		LargeImageSampling task = new LargeImageSampling(bundle, TWO_STEPS, tiles);
		MemoryEstimate small = task.estimate(512, 512, 2.0);
		// from 2048² on the fitted tiles have their largest side (136² latent px; the 512² latent is one tile of 128²)
		MemoryEstimate mid = task.estimate(2048, 2048, 2.0);
		MemoryEstimate big = task.estimate(8192, 8192, 2.0);
		assertTrue(big.tileBytes <= mid.tileBytes && big.autoencoderBytes <= mid.autoencoderBytes,
			"tile activations must not grow with the image: " + mid + " at 2048², " + big + " at 8192²");
		assertEquals(256.0, (double) big.latentBytes / small.latentBytes, 1e-9, "latent buffers grow with the area");
		long start = System.nanoTime();
		IllegalStateException e = assertThrows(IllegalStateException.class,
			() -> task.run(100_000, 100_000, null, 2.0, (d, t) -> {
				throw new AssertionError("sampling started although the run cannot fit");
			}));
		assertTrue(e.getMessage().contains("needs about") && (e.getMessage().contains("smaller output")),
			"expected a message that says how much is needed and how to fix it: " + e.getMessage());
		System.out.println("refusal after " + (System.nanoTime() - start) / 1e6 + " ms: " + e.getMessage());
	}

	@Test
	void badTileSizesAreExplained() {
		TileSettings tiles = TileSettings.defaults(bundle.manifest(), LargeImageSampling.TASK).withTile(60, 16);
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
			() -> new LargeImageSampling(bundle, TWO_STEPS, tiles));
		assertTrue(e.getMessage().contains("multiple of 16"), e.getMessage());
	}
}
