package org.ldmfiji.tiling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.Test;
import org.ldmfiji.model.Manifest;
import org.ldmfiji.model.TestBundles;

/**
 * The work of tiled sampling at the default settings (issue #19): per step the denoiser processes at most 1.3 times
 * the image's latent pixels (native-size tiles at a stride of half their size processed about 3.5 to 4 times as many),
 * the autoencoder's tiles likewise, and the tiles of a grid all have one size, so that they batch into one forward.
 */
class TileRedundancyTest {

	private static final Manifest DEMO = Manifest.read(TestBundles.demo());
	// 528, 560 and 592 px: latents of 132, 140 and 148 px just above the torus' largest stride (128), where the tile
	// side's rounding to the latent multiple weighs most
	private static final int[] SIDES = {512, 528, 560, 592, 1000, 2048, 3000, 4096};

	@Test
	void defaultDenoiserTilesProcessAtMost1point3TimesTheImage() {
		// large-image sampling's denoiser (super-resolution and inpainting choose their own tiles)
		for (String task : new String[] {"unconditional"}) {
			TileSettings tiles = TileSettings.defaults(DEMO, task);
			int f = DEMO.autoencoder.factor, unit = f * DEMO.denoiser(task).latentMultiple;
			for (int side : SIDES) {
				int latent = Window.roundUp(side, unit) / f;
				TileGrid g = TiledSampler.grid(DEMO, task, new Shape(1, 8, latent, latent), tiles);
				assertTrue(g.redundancy() <= 1.3, task + " at " + side + "²: expected redundancy <= 1.3, got "
					+ g.redundancy() + " (" + g + ")");
				assertTrue(g.x.overlap >= tiles.overlap / f || g.count() == 1, "expected the default overlap kept: " + g);
				assertEquals(1, g.tiles().stream().map(t -> t.width + "x" + t.height).distinct().count(),
					"expected tiles of one size (one batch shape): " + g);
			}
		}
	}

	/**
	 * The torus at 128² strides with 8 latent px of overlap (136² tiles, README "Speed of large images"): at most 1.3
	 * at every size too, because an axis of at most 128 + 2·8 latent px is one tile (two tiles of 76 over a latent of
	 * 132, 528 px, would process 1.33 times it).
	 */
	@Test
	void torusTilesOf128StridesProcessAtMost1point3TimesTheImage() {
		String task = "unconditional";
		TileSettings tiles = TileSettings.torus(DEMO, task, 128, 8);
		int f = DEMO.autoencoder.factor, unit = f * DEMO.denoiser(task).latentMultiple;
		for (int side : SIDES) {
			int latent = Window.roundUp(side, unit) / f;
			TileGrid g = TiledSampler.grid(DEMO, task, new Shape(1, 8, latent, latent), tiles);
			assertTrue(g.redundancy() <= 1.3, "torus at " + side + "²: expected redundancy <= 1.3, got " + g.redundancy()
				+ " (" + g + ")");
		}
	}

	@Test
	void defaultAutoencoderTilesProcessAtMost1point3TimesTheImage() {
		TileSettings tiles = TileSettings.defaults(DEMO, "unconditional");
		TiledAutoencoder ae = new TiledAutoencoder(4, 8, 1, b -> b, b -> b, tiles.autoencoderTile / 4,
			tiles.autoencoderOverlap / 4, tiles.autoencoderOverlap / 16, 1, Blend.COSINE, tiles.autoencoderFit);
		for (int side : SIDES) {
			TileGrid g = ae.grid(side / 4, side / 4);
			assertTrue(g.redundancy() <= 1.3, "autoencoder at " + side + "²: expected redundancy <= 1.3, got "
				+ g.redundancy() + " (" + g + ")");
		}
	}

	@Test
	void fittedTilesCoverTheGridWithWeightsSummingToOne() {
		for (int n : new int[] {40, 128, 132, 500, 512, 1024}) {
			TileGrid g = TileGrid.fitted(n, n + 8, 128, 8, 4, Blend.COSINE, 0);
			assertTrue(g.x.tile <= 128 && g.x.tile % 4 == 0, "tile " + g.x.tile);
			double[] sum = new double[g.width() * g.height()];
			for (TileGrid.Tile t : g.tiles()) {
				float[] w = g.weights(t);
				for (int j = 0; j < t.height; j++)
					for (int i = 0; i < t.width; i++) sum[(t.y + j) * g.width() + t.x + i] += w[j * t.width + i];
			}
			for (double s : sum) assertEquals(1, s, 1e-5, "weights must sum to 1 at every position of " + g);
		}
	}
}
