package org.ldmfiji.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.Test;
import org.ldmfiji.diffusion.GaussianNoise;
import org.ldmfiji.diffusion.StepListener;
import org.ldmfiji.image.FloatPlanes;
import org.ldmfiji.model.ModelBundle;
import org.ldmfiji.tiling.Blend;
import org.ldmfiji.tiling.TileGrid;
import org.ldmfiji.tiling.TileSettings;
import org.ldmfiji.tiling.TiledAutoencoder;

import java.util.List;
import java.util.Locale;

/**
 * Seams of large-image sampling with the stand-in model, measured as gradient energy across tile borders against
 * the interior ({@link Seams}). The untrained model makes noise-like images, so each test also shows that the measure
 * does find a seam where tiles are cut hard or offset.
 */
class LargeImageSeamTest {

	private static final ModelBundle bundle = DemoModel.get();

	/**
	 * The denoiser part of a 2048x2048 sample: its 512x512 latent, sampled with DPM-Solver++ (8 steps, every step
	 * fused from 121 overlapping 64x64 latent tiles). With the trained demo model 8 steps are needed: after 2 the latent
	 * is still close to the blend of the tiles' separate first guesses, smoother where they overlap (ratio 0.37). The latent is where the tiles meet; the decoder's tiling is
	 * tested on its own below (decoding 2048² takes minutes on 2 shared cores).
	 */
	@Test
	void latentOfA2048ImageHasNoSeams() {
		SamplingSettings sampling = new SamplingSettings(SamplingSettings.SamplerKind.DPMPP2M, 8, 7, 0);
		TileSettings tiles = TileSettings.defaults(bundle.manifest(), LargeImageSampling.TASK).withTile(256, 64).withBatch(4);
		Shape shape = new Shape(1, bundle.manifest().autoencoder.latentChannels, 512, 512);
		try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
			var cond = LargeImageSampling.labelConditioning(bundle, "fluorescence", 1, manager);
			NDArray z = LargeImageSampling.sampleLatent(bundle, LargeImageSampling.TASK, cond, shape, sampling, tiles,
				StepListener.NONE, manager);
			FloatPlanes latent = FloatPlanes.of(z);
			TileGrid grid = LargeImageSampling.latentGrid(bundle.manifest(), LargeImageSampling.TASK, shape, tiles);
			assertEquals(121, grid.count(), "expected 11 x 11 tiles");
			double[] r = Seams.ratios(latent, grid.x.borders(), grid.y.borders(), 4);
			System.out.println(String.format(Locale.ROOT, "2048² latent, cosine fusion: border/interior gradient energy %.4f (columns), %.4f (rows)", r[0], r[1]));
			assertTrue(Math.abs(r[0] - 1) < 0.1 && Math.abs(r[1] - 1) < 0.1, "expected border gradient energy within 10% of "
				+ "the interior's, got ratios " + r[0] + " (columns) and " + r[1] + " (rows)");

			assertSeamsFound(latent, grid, 4);
		}
	}

	/**
	 * The decoder's tiling: a 1024x1024 image decoded from a random 256x256 latent in 256-px tiles (64 px overlap,
	 * 16 px margin), cosine blending.
	 */
	@Test
	void tiledDecodeHasNoSeams() {
		try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
			int c = bundle.manifest().autoencoder.latentChannels;
			NDArray z = new GaussianNoise(3).initialNoise(manager, new Shape(1, c, 256, 256));
			TiledAutoencoder ae = new TiledAutoencoder(4, c, 1, bundle::encode, bundle::decode, 64, 16, 4, 1, Blend.COSINE);
			FloatPlanes image = ae.decode(z);
			TileGrid pixels = ae.grid(256, 256).scaled(4);
			double[] r = Seams.ratios(image, pixels.x.borders(), pixels.y.borders(), 16);
			System.out.println(String.format(Locale.ROOT, "1024² tiled decode, cosine blending: border/interior gradient "
				+ "energy %.4f (columns), %.4f (rows)", r[0], r[1]));
			assertTrue(Math.abs(r[0] - 1) < 0.1 && Math.abs(r[1] - 1) < 0.1, "expected border gradient energy within 10% "
				+ "of the interior's, got " + r[0] + ", " + r[1]);
			assertSeamsFound(image, pixels, 16);
		}
	}

	/**
	 * The measure must find a seam in this very image: hard cuts between tiles, each tile shifted by ±0.35 of the image's
	 * std (a step of 0.7 std at every cut), must raise the ratio at the cuts above 1.1.
	 */
	private static void assertSeamsFound(FloatPlanes image, TileGrid grid, int period) {
		List<Integer> cx = Seams.cuts(grid.x), cy = Seams.cuts(grid.y);
		double[] before = Seams.ratios(image, cx, cy, period);
		double[] after = Seams.ratios(withTileOffsets(image, cx, cy, 0.35 * std(image)), cx, cy, period);
		System.out.println(String.format(Locale.ROOT, "  at the cuts: %.4f, %.4f; with per-tile offsets of ±0.35 std: "
			+ "%.4f, %.4f", before[0], before[1], after[0], after[1]));
		assertTrue(after[0] > 1.1 && after[1] > 1.1, "the seam measure must flag per-tile offsets, got " + after[0] + ", "
			+ after[1]);
	}

	/** Adds ±amplitude per tile (a checkerboard over the tiles), switching at the cuts: positions p ≥ cut_i are tile i+1's. */
	private static FloatPlanes withTileOffsets(FloatPlanes image, List<Integer> cx, List<Integer> cy, double amplitude) {
		FloatPlanes out = image.copy();
		for (int y = 0; y < image.height(); y++)
			for (int x = 0; x < image.width(); x++) {
				int col = tileOf(cx, x), row = tileOf(cy, y);
				float v = (float) (((col + row) % 2 == 0 ? 1 : -1) * amplitude);
				for (int c = 0; c < image.channels(); c++) out.set(c, y, x, out.get(c, y, x) + v);
			}
		return out;
	}

	private static int tileOf(List<Integer> cuts, int p) {
		int i = 0;
		while (i < cuts.size() && p >= cuts.get(i)) i++;
		return i;
	}

	private static double std(FloatPlanes p) {
		double s = 0, s2 = 0;
		for (float v : p.data()) {
			s += v;
			s2 += v * v;
		}
		double m = s / p.data().length;
		return Math.sqrt(s2 / p.data().length - m * m);
	}
}
