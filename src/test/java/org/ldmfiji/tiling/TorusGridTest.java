package org.ldmfiji.tiling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.Test;
import org.ldmfiji.diffusion.Conditioning;
import org.ldmfiji.diffusion.GaussianNoise;

/**
 * Tiles on a torus ({@link TileGrid#torus}) for a grid that shifts from step to step: every tile of one size, none an
 * edge tile, the weights summing to 1 at every latent position (modulo the side), and the tiles reaching past the end
 * reading the start and adding their output back onto it.
 */
class TorusGridTest {

	@Test
	void everyLatentPixelIsCoveredWithWeightsSummingToOneOnTheTorus() {
		int[][] layouts = {{128, 64, 4}, {512, 64, 4}, {512, 64, 8}, {1024, 64, 4}, {200, 64, 8}, {52, 16, 4}, {512, 32, 0}};
		for (int[] l : layouts) {
			TileGrid.Axis a = TileGrid.torus(l[0], l[0], l[1], l[2], 4, Blend.COSINE).x;
			double[] sum = new double[l[0]];
			for (int i = 0; i < a.count(); i++) {
				float[] w = a.weights(i);
				assertEquals(a.tile, w.length, "every tile of one size");
				for (int d = 0; d < a.tile; d++) sum[(a.start(i) + d) % l[0]] += w[d];
				if (l[2] > 0) assertTrue(w[0] < 0.5f && w[a.tile - 1] < 0.5f, java.util.Arrays.toString(l) + ": tile " + i
					+ " should ramp at both ends (no edge tile), got " + w[0] + " and " + w[a.tile - 1]);
			}
			for (int p = 0; p < l[0]; p++) assertEquals(1, sum[p], 1e-6, java.util.Arrays.toString(l) + ": weights at " + p);
			assertTrue(a.tile <= l[1] + l[2], "tile " + a.tile + " beyond stride + overlap");
		}
	}

	@Test
	void redundancyIsThatOfTheOverlapAloneAtEverySize() {
		for (int side : new int[] {128, 512, 1024}) {
			TileGrid g = TileGrid.torus(side, side, 64, 4, 4, Blend.COSINE);
			assertEquals(68.0 * 68 / (64 * 64), g.redundancy(), 1e-9, side + ": " + g);
			assertEquals(side / 64 * (side / 64), g.count(), g.toString());
			assertTrue(g.wraps(), "the last tiles reach past the end");
		}
		// a latent no longer than the stride: one tile of its own size, nothing wraps
		TileGrid one = TileGrid.torus(48, 48, 64, 4, 4, Blend.COSINE);
		assertEquals(1, one.count());
		assertEquals(1.0, one.redundancy(), 1e-9);
	}

	/** An identity model fuses back to the latent exactly only if the wrapped tiles read the start and fold back onto it. */
	@Test
	void theTilesPastTheEndReadTheStartAndAddBackOntoIt() {
		TiledDenoiser.TileModel identity = c -> (x, t) -> x.duplicate();
		TiledDenoiser.TileModel maskOnly = c -> (x, t) -> c.inputs().get("mask").repeat(1, x.getShape().get(1))
			.repeat(0, x.getShape().get(0) / c.inputs().get("mask").getShape().get(0));
		TileGrid grid = TileGrid.torus(52, 36, 16, 4, 4, Blend.COSINE);
		assertTrue(grid.wraps(), grid.toString());
		try (NDManager base = NDManager.newBaseManager()) {
			NDArray x = new GaussianNoise(6).initialNoise(base, new Shape(2, 3, 36, 52));
			NDArray mask = new GaussianNoise(5).initialNoise(base, new Shape(1, 1, 36, 52));
			Conditioning c = new Conditioning().input("mask", mask);
			for (int shiftUnit : new int[] {0, 4}) {
				for (int t : new int[] {999, 500, 1}) {
					assertArrayEquals(x.toFloatArray(), new TiledDenoiser(grid, 3, Conditioning.NONE, identity, shiftUnit)
						.eps(x, t).toFloatArray(), 1e-5f, "shift unit " + shiftUnit + ", t=" + t + ": the latent back");
					assertArrayEquals(mask.repeat(1, 3).repeat(0, 2).toFloatArray(), new TiledDenoiser(grid, 2, c, maskOnly,
						shiftUnit).eps(x, t).toFloatArray(), 1e-5f, "shift unit " + shiftUnit + ", t=" + t + ": the mask back");
				}
			}
		}
	}

	@Test
	void theTorusSettingsGiveATorusGridOfTheBestForwardSize() {
		var m = org.ldmfiji.task.DemoModel.get().manifest();
		String task = org.ldmfiji.task.LargeImageSampling.TASK;
		TileSettings tiles = TileSettings.torus(m, task);
		TileGrid g = TiledSampler.grid(m, task, new Shape(1, 3, 512, 512), tiles);
		assertEquals(64, g.count(), g.toString());
		assertEquals(64 + TileSettings.TORUS_LATENT_OVERLAP, g.x.tile, g.toString());
		assertTrue(tiles.shift && tiles.torus, tiles.toString());
		TileGrid wide = TiledSampler.grid(m, task, new Shape(1, 3, 512, 512), TileSettings.torus(m, task, 128, 8));
		assertEquals(16, wide.count(), wide.toString());
		assertEquals(136, wide.x.tile, wide.toString());
		assertEquals((136.0 * 136) / (128 * 128), wide.redundancy(), 1e-9, wide.toString());
	}

	/**
	 * At 128² strides, a latent that fits one tile (a 512² image: 128² latent px; up to the stride + twice the overlap,
	 * 144², where two tiles would process more) is one whole-latent forward: no overlap, no wrap, no shift (redundancy
	 * 1). Just above it the torus takes over, within a redundancy of 1.3 despite the tile side's rounding to the latent
	 * multiple.
	 */
	@Test
	void aLatentThatFitsOneTileIsOneForwardWithoutShift() {
		var m = org.ldmfiji.task.DemoModel.get().manifest();
		String task = org.ldmfiji.task.LargeImageSampling.TASK;
		TileSettings tiles = TileSettings.torus(m, task, 128, 8);
		for (int[] side : new int[][] {{128, 128}, {144, 144}, {132, 96}, {144, 40}}) {
			TileGrid g = TiledSampler.grid(m, task, new Shape(1, 3, side[1], side[0]), tiles);
			assertEquals(1, g.count(), java.util.Arrays.toString(side) + ": " + g);
			assertEquals(1.0, g.redundancy(), 1e-12, g.toString());
			assertTrue(!g.wraps(), g.toString());
			TiledDenoiser d = new TiledDenoiser(g, 1, Conditioning.NONE, c -> (x, t) -> x, 4);
			for (int t : new int[] {999, 500, 1}) assertArrayEquals(new int[] {0, 0}, d.offsets(t), "no shift at t=" + t);
		}
		for (int side : new int[] {132, 140, 148, 156}) {
			TileGrid g = TiledSampler.grid(m, task, new Shape(1, 3, side, side), tiles);
			assertTrue(g.count() == 1 || g.redundancy() <= 1.3, side + ": " + g + ", redundancy " + g.redundancy());
		}
		TileGrid two = TiledSampler.grid(m, task, new Shape(1, 3, 148, 148), tiles);
		assertEquals(4, two.count(), two.toString());
		assertTrue(two.wraps(), two.toString());
	}
}
