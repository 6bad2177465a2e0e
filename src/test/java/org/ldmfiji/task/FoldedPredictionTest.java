package org.ldmfiji.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.Test;

import org.ldmfiji.diffusion.Conditioning;
import org.ldmfiji.diffusion.Ddim;
import org.ldmfiji.diffusion.Denoiser;
import org.ldmfiji.diffusion.DpmSolverPP2M;
import org.ldmfiji.diffusion.GaussianNoise;
import org.ldmfiji.diffusion.ModelDenoiser;
import org.ldmfiji.diffusion.Prediction;
import org.ldmfiji.diffusion.Sampler;
import org.ldmfiji.diffusion.StepListener;
import org.ldmfiji.model.Manifest;
import org.ldmfiji.model.ModelBundle;
import org.ldmfiji.tiling.TileSettings;
import org.ldmfiji.tiling.TiledDenoiser;

/**
 * Samplers fold a v-predicting denoiser's conversion to ε into their own coefficients ({@link Prediction}); the
 * result must be the one of the plain ε contract, for the model and for fused tiles.
 */
class FoldedPredictionTest {

	private static final String TASK = SuperResolution.TASK;

	@Test
	void theDemoDenoisersPredictV() {
		assertTrue(DemoModel.get().manifest().denoiser(TASK).predictsV, "this test needs a v-predicting denoiser");
	}

	@Test
	void samplingWithTheFoldedConversionEqualsSamplingWithEps() {
		ModelBundle bundle = DemoModel.get();
		Manifest m = bundle.manifest();
		try (NDManager manager = NDManager.newBaseManager(bundle.device())) {
			GaussianNoise noise = new GaussianNoise(5);
			Conditioning cond = new Conditioning().input(Manifest.InputSpec.LOW_RES_IMAGE,
				noise.initialNoise(manager, new Shape(1, 1, 24, 24)));
			ModelDenoiser model = new ModelDenoiser(bundle.denoiser(TASK), m.denoiser(TASK), m.schedule, cond);
			Shape latent = new Shape(1, m.autoencoder.latentChannels, 24, 24);
			TiledDenoiser tiled = TiledDenoiser.of(bundle, TASK, cond,
				LargeImageSampling.latentGrid(m, TASK, latent, TileSettings.defaults(m, TASK).withTile(64, 32)), 2);
			for (Denoiser folded : new Denoiser[] {model, tiled}) {
				Denoiser epsOnly = folded::eps; // the default predict: ε̂ itself
				for (Sampler sampler : new Sampler[] {new Ddim(5), new DpmSolverPP2M(5)}) {
					NDArray x = noise.initialNoise(manager, latent);
					float[] a = sampler.sample(folded, x, m.schedule, StepListener.NONE).toFloatArray();
					float[] b = sampler.sample(epsOnly, x, m.schedule, StepListener.NONE).toFloatArray();
					double max = 0;
					for (int i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
					assertEquals(0, max, 1e-4, folded.getClass().getSimpleName() + " with " + sampler.getClass().getSimpleName());
				}
			}
		}
	}
}
