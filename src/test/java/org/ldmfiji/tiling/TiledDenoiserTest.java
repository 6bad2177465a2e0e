package org.ldmfiji.tiling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.Test;
import org.ldmfiji.diffusion.Conditioning;
import org.ldmfiji.diffusion.Denoiser;
import org.ldmfiji.diffusion.DpmSolverPP2M;
import org.ldmfiji.diffusion.GaussianNoise;
import org.ldmfiji.diffusion.NoiseSchedule;
import org.ldmfiji.diffusion.StepListener;

import java.util.Arrays;

/** Fusion of tile predictions with fake denoisers: normalisation, slicing of conditioning, batching, native memory. */
class TiledDenoiserTest {

	private static final NoiseSchedule SCHEDULE = NoiseSchedule.of("linear", 0.0015, 0.0205, 1000, 0);

	/** Predicts the constant 0.7 everywhere, whatever the tile. */
	private static final TiledDenoiser.TileModel CONSTANT = c -> (x, t) -> x.zerosLike().add(0.7f);

	/**
	 * A denoiser whose output depends on the whole tile (like a U-Net's receptive field): 0.5·x plus the tile's
	 * mean per item, plus the sliced conditioning input 'mask' and the context's first value.
	 */
	private static final TiledDenoiser.TileModel TILE_DEPENDENT = c -> (x, t) -> {
		NDArray mean = x.reshape(x.getShape().get(0), -1).mean(new int[] {1}, true).reshape(-1, 1, 1, 1);
		NDArray out = x.mul(0.5f).add(mean);
		NDArray mask = c.inputs().get("mask");
		if (mask != null) out = out.add(mask.repeat(1, x.getShape().get(1)));
		if (c.context() != null) out = out.add(c.context().get(":, 0, 0").reshape(-1, 1, 1, 1).mul(0.1f));
		return out;
	};

	@Test
	void constantPredictionFusesToTheConstantForAnyLayout() {
		int[][] layouts = {{52, 36, 16, 4, 4}, {64, 64, 16, 8, 4}, {12, 8, 16, 4, 4}, {100, 44, 32, 12, 4}, {37, 5, 8, 3, 1}};
		for (Blend blend : Blend.values())
			for (int[] l : layouts)
				try (NDManager base = NDManager.newBaseManager()) {
					TileGrid grid = TileGrid.of(l[0], l[1], l[2], l[3], l[4], blend);
					NDArray x = new GaussianNoise(1).initialNoise(base, new Shape(2, 3, l[1], l[0]));
					float[] eps = new TiledDenoiser(grid, 3, Conditioning.NONE, CONSTANT).eps(x, 500).toFloatArray();
					for (float v : eps) assertEquals(0.7f, v, 1e-6, blend + " " + Arrays.toString(l) + " (" + grid
						+ "): expected the constant back (normalised weights)");
				}
	}

	@Test
	void conditioningIsSlicedWithTheTile() {
		// eps = 0.5·x + mean + mask: subtracting the first two terms per tile is not possible from outside, so use a
		// model that returns the mask slice alone: the fused result must be the full mask
		TiledDenoiser.TileModel maskOnly = c -> (x, t) -> c.inputs().get("mask").repeat(1, x.getShape().get(1))
			.repeat(0, x.getShape().get(0) / c.inputs().get("mask").getShape().get(0));
		try (NDManager base = NDManager.newBaseManager()) {
			NDArray mask = new GaussianNoise(5).initialNoise(base, new Shape(1, 1, 36, 52));
			NDArray x = base.zeros(new Shape(2, 3, 36, 52));
			Conditioning c = new Conditioning().input("mask", mask);
			NDArray eps = new TiledDenoiser(TileGrid.of(52, 36, 16, 4, 4, Blend.COSINE), 4, c, maskOnly).eps(x, 10);
			float[] expected = mask.repeat(1, 3).repeat(0, 2).toFloatArray();
			float[] got = eps.toFloatArray();
			for (int i = 0; i < got.length; i++) assertEquals(expected[i], got[i], 1e-5, "fused mask at " + i);
		}
	}

	@Test
	void tileBatchSizeDoesNotChangeTheSample() {
		float[] reference = sample(1);
		for (int batch : new int[] {2, 5, 64})
			assertArrayEquals(reference, sample(batch), "batch " + batch + ": expected the batch-1 result, bit for bit");
		float[] untiledLike = sampleWith(TileGrid.of(52, 36, 52, 0, 4, Blend.COSINE), 1);
		assertFalse(Arrays.equals(reference, untiledLike), "the tile-dependent fake must notice tiling (else the test is void)");
	}

	@Test
	void samplingHoldsNoArraysBeyondItsResult() {
		try (NDManager base = NDManager.newBaseManager()) {
			NDArray x = new GaussianNoise(1).initialNoise(base, new Shape(2, 3, 36, 52));
			NDArray mask = base.zeros(new Shape(1, 1, 36, 52));
			NDArray ctx = base.ones(new Shape(2, 1, 4)), nullCtx = base.zeros(new Shape(2, 1, 4));
			int before = base.getManagedArrays().size();
			int[] most = {0};
			Denoiser d = new TiledDenoiser(TileGrid.of(52, 36, 16, 4, 4, Blend.COSINE), 3,
				new Conditioning().input("mask", mask).context(ctx, nullCtx, 2.0), TILE_DEPENDENT);
			NDArray out = new DpmSolverPP2M(30).sample(d, x, SCHEDULE,
				(done, total) -> most[0] = Math.max(most[0], base.getManagedArrays().size()));
			assertTrue(most[0] <= before + 2, "expected at most the latent and one x_0 between steps, saw "
				+ (most[0] - before) + " more arrays than before");
			assertEquals(before + 1, base.getManagedArrays().size(), "expected only the result added");
			out.close();
			assertEquals(before, base.getManagedArrays().size(), "expected no leftover arrays");
		}
	}

	/**
	 * The shifting grid (SpotDiffusion): the conditioning moves with the latent (a model that returns its mask slice
	 * fuses back to the full mask at every timestep), and the tiles of step t meet exactly at {@link
	 * TiledDenoiser#borders}: the tile-dependent part of the output (each tile's mean) jumps there and nowhere else, at
	 * offsets that differ between timesteps and are the same on every call with the same t.
	 */
	@Test
	void aShiftingGridMovesItsBordersByStepAndKeepsConditioningInPlace() {
		TileGrid grid = TileGrid.of(48, 32, 16, 0, 4, Blend.COSINE);
		TiledDenoiser.TileModel maskOnly = c -> (x, t) -> c.inputs().get("mask").repeat(1, x.getShape().get(1))
			.repeat(0, x.getShape().get(0) / c.inputs().get("mask").getShape().get(0));
		TiledDenoiser.TileModel meanOnly = c -> (x, t) -> x.zerosLike().add(x.reshape(x.getShape().get(0), -1)
			.mean(new int[] {1}, true).reshape(-1, 1, 1, 1));
		try (NDManager base = NDManager.newBaseManager()) {
			NDArray mask = new GaussianNoise(5).initialNoise(base, new Shape(1, 1, 32, 48));
			NDArray x = new GaussianNoise(6).initialNoise(base, new Shape(2, 3, 32, 48));
			Conditioning c = new Conditioning().input("mask", mask);
			TiledDenoiser masks = new TiledDenoiser(grid, 2, c, maskOnly, 4);
			TiledDenoiser means = new TiledDenoiser(grid, 5, Conditioning.NONE, meanOnly, 4);
			float[] expected = mask.repeat(1, 3).repeat(0, 2).toFloatArray();
			java.util.Set<String> layouts = new java.util.HashSet<>();
			for (int t : new int[] {999, 874, 749, 624, 499, 374, 249, 124}) {
				assertArrayEquals(expected, masks.eps(x, t).toFloatArray(), 1e-6f, "t=" + t + ": expected the full mask back");
				int[] o = means.offsets(t);
				assertTrue(o[0] % 4 == 0 && o[1] % 4 == 0 && o[0] < 48 && o[1] < 32, "offsets " + Arrays.toString(o));
				layouts.add(Arrays.toString(o));
				float[] e = means.eps(x, t).toFloatArray();
				assertArrayEquals(e, means.eps(x, t).toFloatArray(), "t=" + t + ": expected the same result on every call");
				// along x on row 5 of item 0, channel 0: where the tile mean changes
				java.util.List<Integer> jumpsX = new java.util.ArrayList<>(), jumpsY = new java.util.ArrayList<>();
				for (int p = 1; p < 48; p++) if (e[5 * 48 + p] != e[5 * 48 + p - 1]) jumpsX.add(p);
				for (int p = 1; p < 32; p++) if (e[p * 48 + 7] != e[(p - 1) * 48 + 7]) jumpsY.add(p);
				assertEquals(means.borders(t, true), jumpsX, "t=" + t + " offsets " + Arrays.toString(o) + ": x borders");
				assertEquals(means.borders(t, false), jumpsY, "t=" + t + " offsets " + Arrays.toString(o) + ": y borders");
			}
			assertTrue(layouts.size() >= 6, "expected the grid to move between most steps, saw offsets " + layouts);
			TiledDenoiser fixed = new TiledDenoiser(grid, 5, Conditioning.NONE, meanOnly);
			assertArrayEquals(new int[] {0, 0}, fixed.offsets(999), "a fixed grid does not move");
		}
	}

	private static float[] sample(int batch) {
		return sampleWith(TileGrid.of(52, 36, 16, 4, 4, Blend.COSINE), batch);
	}

	/** DPM-Solver++ over a 2-item latent with a batch-1 mask and a batch-2 context. */
	private static float[] sampleWith(TileGrid grid, int batch) {
		try (NDManager base = NDManager.newBaseManager()) {
			NDArray x = new GaussianNoise(3).initialNoise(base, new Shape(2, 3, 36, 52));
			NDArray mask = new GaussianNoise(4).initialNoise(base, new Shape(1, 1, 36, 52));
			NDArray ctx = base.create(new float[] {1, 2, 3, 4, -1, -2, -3, -4}, new Shape(2, 1, 4));
			NDArray nullCtx = base.zeros(new Shape(2, 1, 4));
			Conditioning c = new Conditioning().input("mask", mask).context(ctx, nullCtx, 1);
			Denoiser d = new TiledDenoiser(grid, batch, c, TILE_DEPENDENT);
			return new DpmSolverPP2M(6).sample(d, x, SCHEDULE, StepListener.NONE).toFloatArray();
		}
	}
}
