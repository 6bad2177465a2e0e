package org.ldmfiji.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.Test;
import org.ldmfiji.diffusion.Conditioning;
import org.ldmfiji.diffusion.Denoiser;
import org.ldmfiji.diffusion.GaussianNoise;
import org.ldmfiji.diffusion.Prediction;
import org.ldmfiji.diffusion.Sampler;
import org.ldmfiji.diffusion.StepListener;
import org.ldmfiji.image.FloatPlanes;
import org.ldmfiji.model.ModelBundle;
import org.ldmfiji.tiling.TileSettings;
import org.ldmfiji.tiling.TiledDenoiser;
import org.ldmfiji.tiling.TiledSampler;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Issue #19: the latent of a 2048x2048 sample (512x512 latent, demo model, DPM-Solver++ with 8 steps; 8 are needed,
 * see LargeImageSeamTest) at the default tile settings, scored with the seam measure ({@link Seams}: gradient energy
 * across borders over the interior's on the same phase) at the tile borders of every step's grid, as the denoiser
 * reports them for the timesteps it was called with ({@link TiledDenoiser#borders}): each step's borders on their
 * own, and all of them together. A grid that shifts from step to step would move them; the default stays in place.
 * A fixed grid of 32² tiles without overlap (tiles cut hard in the same place every step) is sampled too and must be flagged:
 * that shows the measure finds seams that sampling leaves (4 steps; ratios 2.23 and 2.42).
 */
class EveryStepsGridSeamTest {

	private static final ModelBundle bundle = DemoModel.get();
	private static final Shape SHAPE = new Shape(1, bundle.manifest().autoencoder.latentChannels, 512, 512);
	private static final SamplingSettings SAMPLING = new SamplingSettings(SamplingSettings.SamplerKind.DPMPP2M, 8, 7, 0);

	@Test
	void aSampled2048ImageHasNoSeamsAtTheBordersOfAnyStepsGrid() {
		TileSettings defaults = TileSettings.defaults(bundle.manifest(), LargeImageSampling.TASK);
		Scores s = sampleAndScore(defaults, SAMPLING);
		assertTrue(s.redundancy <= 1.3, "expected the default tiles to process <= 1.3x the latent, got " + s.redundancy);
		assertEquals(SAMPLING.steps, s.perStep.size(), "expected one denoiser call per step");
		for (int i = 0; i < s.perStep.size(); i++) {
			double[] r = s.perStep.get(i);
			assertTrue(Math.abs(r[0] - 1) < 0.1 && Math.abs(r[1] - 1) < 0.1, "expected the gradient energy across the "
				+ "borders of step " + (i + 1) + "'s grid within 10% of the interior's, got " + r[0] + " (columns) and " + r[1]
				+ " (rows)");
		}
		assertTrue(Math.abs(s.all[0] - 1) < 0.1 && Math.abs(s.all[1] - 1) < 0.1, "expected the gradient energy across "
			+ "the borders of all steps' grids within 10% of the interior's, got " + s.all[0] + ", " + s.all[1]);
	}

	/**
	 * The shifting grid on a torus ({@link TileSettings#torus}: 64² strides, 4 latent px of overlap, no edge tile)
	 * with 4 and with 8 steps: no seams at the borders of any step's grid (the shifting grid without overlap left seams
	 * at 4 steps, README "A grid that shifts from step to step").
	 */
	@Test
	void aTorusGridLeavesNoSeamsWithFourOrEightSteps() {
		TileSettings torus = TileSettings.torus(bundle.manifest(), LargeImageSampling.TASK);
		for (int steps : new int[] {4, 8}) {
			Scores s = sampleAndScore(torus, new SamplingSettings(SAMPLING.sampler, steps, SAMPLING.seed, 0));
			assertTrue(s.moved, "expected the grid to move");
			assertTrue(s.redundancy <= 1.3, "expected <= 1.3x the latent per step, got " + s.redundancy);
			for (int i = 0; i < s.perStep.size(); i++) {
				double[] r = s.perStep.get(i);
				assertTrue(Math.abs(r[0] - 1) < 0.1 && Math.abs(r[1] - 1) < 0.1, steps + " steps: expected the gradient "
					+ "energy across the borders of step " + (i + 1) + "'s grid within 10% of the interior's, got " + r[0]
					+ " (columns) and " + r[1] + " (rows)");
			}
			assertTrue(Math.abs(s.all[0] - 1) < 0.1 && Math.abs(s.all[1] - 1) < 0.1, steps + " steps: expected the "
				+ "gradient energy across the borders of all steps' grids within 10% of the interior's, got " + s.all[0]
				+ " (columns), " + s.all[1] + " (rows)");
		}
	}

	/** The same measure on a seamy configuration: the fitted tiles without overlap in a grid that stays in place. */
	@Test
	void aFixedGridWithoutOverlapIsFlagged() {
		TileSettings seamy = TileSettings.shifting(bundle.manifest(), LargeImageSampling.TASK).withShift(false, 0);
		Scores s = sampleAndScore(seamy, new SamplingSettings(SAMPLING.sampler, 4, SAMPLING.seed, 0));
		assertTrue(!s.moved, "expected a fixed grid");
		assertTrue(Math.abs(s.all[0] - 1) >= 0.1 || Math.abs(s.all[1] - 1) >= 0.1, "expected the seam measure to flag "
			+ "hard borders that stay in place, got " + s.all[0] + " (columns), " + s.all[1] + " (rows)");
	}

	private static final class Scores {
		final List<double[]> perStep = new ArrayList<>();
		double[] all;
		double redundancy;
		boolean moved;
	}

	private static Scores sampleAndScore(TileSettings tiles, SamplingSettings sampling) {
		try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
			Conditioning cond = LargeImageSampling.labelConditioning(bundle, "fluorescence", 1, manager);
			TiledDenoiser tiled = new TiledSampler(bundle, LargeImageSampling.TASK, tiles).denoiser(cond, SHAPE);
			List<Integer> calls = new ArrayList<>();
			Denoiser recording = new Denoiser() {
				@Override
				public NDArray eps(NDArray x, int t) {
					calls.add(t);
					return tiled.eps(x, t);
				}

				@Override
				public Prediction predict(NDArray x, int t) {
					calls.add(t);
					return tiled.predict(x, t);
				}
			};
			GaussianNoise noise = new GaussianNoise(sampling.seed);
			Sampler sampler = sampling.newSampler(noise);
			FloatPlanes latent;
			try (NDArray xT = noise.initialNoise(manager, SHAPE);
				NDArray z = sampler.sample(recording, xT, sampler.timesteps(bundle.manifest().schedule),
					bundle.manifest().schedule, StepListener.NONE))
			{
				latent = FloatPlanes.of(z);
			}
			Scores s = new Scores();
			s.redundancy = tiled.grid().redundancy();
			TreeSet<Integer> allX = new TreeSet<>(), allY = new TreeSet<>();
			for (int t : calls) {
				List<Integer> bx = tiled.borders(t, true), by = tiled.borders(t, false);
				s.moved |= tiled.offsets(t)[0] != 0 || tiled.offsets(t)[1] != 0;
				allX.addAll(bx);
				allY.addAll(by);
				double[] r = Seams.ratios(latent, bx, by, 4);
				s.perStep.add(r);
				System.out.println(String.format(Locale.ROOT, "  t=%d, offsets %s: %.4f (columns), %.4f (rows)", t,
					java.util.Arrays.toString(tiled.offsets(t)), r[0], r[1]));
			}
			s.all = Seams.ratios(latent, new ArrayList<>(allX), new ArrayList<>(allY), 4);
			System.out.println(String.format(Locale.ROOT, "2048² latent, %s (%s, redundancy %.3f): border/interior gradient "
				+ "energy at the borders of every step's grid: %.4f (columns), %.4f (rows)", tiles, tiled.grid(),
				s.redundancy, s.all[0], s.all[1]));
			return s;
		}
	}
}
