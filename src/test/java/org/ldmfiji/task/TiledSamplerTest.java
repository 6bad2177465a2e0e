package org.ldmfiji.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.Test;
import org.ldmfiji.diffusion.Conditioning;
import org.ldmfiji.model.ModelBundle;
import org.ldmfiji.tiling.TileSettings;
import org.ldmfiji.tiling.TiledSampler;

/**
 * The tiled sampling engine (issues #17, #19): the tiles of a step go through in batches on the CPU too when the batch
 * is automatic, and a second run on the same bundle does no measuring forward before its first step.
 */
class TiledSamplerTest {

	private static final ModelBundle bundle = DemoModel.get();
	private static final String TASK = LargeImageSampling.TASK;

	@Test
	void anAutomaticBatchTakesSeveralTilesPerForwardOnTheCpu() {
		TileSettings nativeTiles = TileSettings.nativeTiles(bundle.manifest(), TASK);
		Shape latent = new Shape(1, bundle.manifest().autoencoder.latentChannels, 64, 64);
		try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
			Conditioning cond = LargeImageSampling.labelConditioning(bundle, "phase", 2, manager);
			TiledSampler engine = new TiledSampler(bundle, TASK, nativeTiles);
			assertEquals(Device.cpu(), bundle.device());
			assertTrue(engine.denoiser(cond, latent).batch() > 1, "expected an unresolved automatic batch of several tiles, "
				+ "got " + engine.denoiser(cond, latent).batch());
			TiledSampler resolved = engine.resolved(cond, latent, 256, 256, manager);
			assertTrue(resolved.settings().batch > 1, "expected an automatic batch of several tiles on the CPU, got "
				+ resolved.settings());
		}
	}

	@Test
	void aSecondRunMeasuresNothingBeforeItsFirstStep() {
		TileSettings tiles = TileSettings.defaults(bundle.manifest(), TASK);
		Shape latent = new Shape(1, bundle.manifest().autoencoder.latentChannels, 32, 32);
		try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
			Conditioning cond = LargeImageSampling.labelConditioning(bundle, "phase", 2, manager);
			new TiledSampler(bundle, TASK, tiles).resolved(cond, latent, 128, 128, manager);
			long denoiser = bundle.denoiser(TASK).forwardNanos();
			new TiledSampler(bundle, TASK, tiles).resolved(cond, latent, 128, 128, manager);
			assertEquals(denoiser, bundle.denoiser(TASK).forwardNanos(), "expected the second run's memory check to reuse "
				+ "the first run's measured tile instead of running the denoiser again");
		}
	}
}
