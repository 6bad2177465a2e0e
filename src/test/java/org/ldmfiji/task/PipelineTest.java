package org.ldmfiji.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.ldmfiji.diffusion.Conditioning;
import org.ldmfiji.diffusion.ModelDenoiser;
import org.ldmfiji.diffusion.StepListener;
import org.ldmfiji.image.FloatPlanes;
import org.ldmfiji.model.Manifest;
import org.ldmfiji.model.ModelBundle;
import org.ldmfiji.model.TestBundles;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/** The whole latent pipeline on a real TorchScript bundle: determinism and native memory. */
class PipelineTest {

	private static ModelBundle bundle;

	@BeforeAll
	static void open() {
		bundle = ModelBundle.open(TestBundles.demo(), Device.cpu());
	}

	@AfterAll
	static void close() {
		bundle.close();
	}

	private static FloatPlanes sample(long seed, SamplingSettings.SamplerKind kind) {
		SamplingSettings s = new SamplingSettings(kind, 6, seed, kind == SamplingSettings.SamplerKind.DDIM ? 1.0 : 0);
		return new LargeImageSampling(bundle, s, org.ldmfiji.tiling.TileSettings.defaults(bundle.manifest(), LargeImageSampling.TASK))
			.run(40, 24, null, 2.0, StepListener.NONE);
	}

	@Test
	void sameSeedSameSettingsIsBitIdentical() {
		for (SamplingSettings.SamplerKind kind : SamplingSettings.SamplerKind.values()) {
			FloatPlanes a = sample(7, kind), b = sample(7, kind), c = sample(8, kind);
			assertEquals(24, a.height());
			assertEquals(40, a.width());
			assertArrayEquals(a.data(), b.data(), kind + ": the same seed must give the same pixels");
			assertFalse(Arrays.equals(a.data(), c.data()), kind + ": another seed must give another image");
		}
	}

	@Test
	void denoiserCallsLeaveOnlyTheirResult() {
		Manifest.DenoiserSpec spec = bundle.manifest().denoiser("inpaint");
		int c = bundle.manifest().autoencoder.latentChannels, side = spec.latentMultiple;
		try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
			Conditioning cond = new Conditioning();
			for (Manifest.InputSpec in : spec.inputs)
				if (!in.name.equals(Manifest.InputSpec.NOISY_LATENT)) cond.input(in.name, m.ones(new Shape(1, in.channels, side, side)));
			ModelDenoiser denoiser = new ModelDenoiser(bundle.denoiser("inpaint"), spec, bundle.manifest().schedule, cond);
			NDArray x = m.ones(new Shape(2, c, side, side));
			int baseline = m.getManagedArrays().size();
			for (int t = 0; t < 50; t++) {
				try (NDArray eps = denoiser.eps(x, 999 - 20 * t)) {
					assertEquals(baseline + 1, m.getManagedArrays().size(), "step " + t + ": only ε̂ may stay alive");
					assertEquals(x.getShape(), eps.getShape());
				}
			}
			assertEquals(baseline, m.getManagedArrays().size(), "arrays left after 50 denoiser calls");
		}
	}

	@Test
	void fullSamplingRunOf500StepsLeavesOnlyTheResult() {
		Manifest.DenoiserSpec spec = bundle.manifest().denoiser("superres");
		AtomicInteger steps = new AtomicInteger();
		try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
			Conditioning cond = new Conditioning();
			int side = spec.latentMultiple;
			for (Manifest.InputSpec in : spec.inputs)
				if (!in.name.equals(Manifest.InputSpec.NOISY_LATENT)) cond.input(in.name, m.zeros(new Shape(1, in.channels, side, side)));
			int before = m.getManagedArrays().size();
			SamplingSettings s = new SamplingSettings(SamplingSettings.SamplerKind.DDIM, 500, 3, 1.0);
			NDArray z = LargeImageSampling.sampleLatent(bundle, "superres", cond,
				new Shape(1, bundle.manifest().autoencoder.latentChannels, side, side), s,
				org.ldmfiji.tiling.TileSettings.defaults(bundle.manifest(), "superres").withBatch(1), (d, total) -> steps.set(d), m);
			assertEquals(500, steps.get());
			assertEquals(before + 1, m.getManagedArrays().size(), "after 500 steps only z_0 may be left");
			z.close();
		}
	}
}
