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
