package org.ldmfiji.tiling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.Test;
import org.ldmfiji.diffusion.GaussianNoise;
import org.ldmfiji.image.FloatPlanes;
import org.ldmfiji.model.ModelBundle;

import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The tiled first stage: blending keeps constants, and tiles come close to a whole-image pass of the real model. */
class TiledAutoencoderTest {

	private static final int F = 4;

	/** Fake encoder: every f-th pixel, copied to 3 latent channels. */
	private static final TiledAutoencoder.Part SUBSAMPLE = x -> x.get(":, :, ::4, ::4").repeat(1, 3);
	/** Fake decoder: the channel mean, upsampled f× by nearest neighbour. */
	private static final TiledAutoencoder.Part UPSAMPLE = z -> z.mean(new int[] {1}, true).repeat(2, F).repeat(3, F);

	@Test
	void constantImageRoundTripsToAConstant() {
		for (Blend blend : Blend.values())
			for (int[] size : new int[][] {{200, 136}, {36, 20}, {512, 64}}) {
				TiledAutoencoder ae = new TiledAutoencoder(F, 3, 1, SUBSAMPLE, UPSAMPLE, 16, 5, 1, 3, blend);
				FloatPlanes image = FloatPlanes.zeros(1, size[1], size[0]);
				Arrays.fill(image.data(), -0.25f);
				try (NDManager base = NDManager.newBaseManager()) {
					NDArray z = ae.encode(image, base);
					assertEquals(new Shape(1, 3, size[1] / F, size[0] / F), z.getShape(), "latent shape");
					for (float v : z.toFloatArray()) assertEquals(-0.25f, v, 1e-6, blend + ": constant latent expected");
					List<FloatPlanes> back = ae.decode(z, size[0] - 3, size[1] - 1); // cropped
					assertEquals(size[0] - 3, back.get(0).width(), "cropped width");
					assertEquals(size[1] - 1, back.get(0).height(), "cropped height");
					for (float v : back.get(0).data()) assertEquals(-0.25f, v, 1e-6, blend + ": constant image expected");
				}
			}
	}

	/**
	 * Decoding block by block gives the whole decode's values exactly, for blocks that cut through tiles: a decoder
	 * whose output depends on the whole tile (its mean added) shows any tile or weight taken at the wrong place.
	 */
	@Test
	void blocksDecodeToTheWholeDecodesValues() {
		TiledAutoencoder.Part tileDependent = z -> z.mean(new int[] {1}, true).repeat(2, F).repeat(3, F)
			.add(z.mean(new int[] {3}, true).mean(new int[] {2}, true).mean(new int[] {1}, true));
		TiledAutoencoder ae = new TiledAutoencoder(F, 3, 1, SUBSAMPLE, tileDependent, 8, 3, 1, 2, Blend.COSINE);
		try (NDManager base = NDManager.newBaseManager()) {
			NDArray z = base.randomNormal(new Shape(1, 3, 20, 27));
			FloatPlanes whole = ae.decode(z);
			int[][] blocks = {{0, 0, 108, 80}, {13, 7, 50, 33}, {63, 41, 45, 39}, {0, 79, 1, 1}, {30, 0, 29, 80}};
			for (int[] b : blocks) {
				FloatPlanes part = ae.decodeRegion(z, 0, b[0], b[1], b[2], b[3]);
				for (int y = 0; y < b[3]; y++)
					for (int x = 0; x < b[2]; x++)
						assertEquals(whole.get(0, b[1] + y, b[0] + x), part.get(0, y, x), "block " + Arrays.toString(b) + " pixel "
							+ x + "," + y);
			}
		}
	}

	@Test
	void pointwisePartsMakeTilingInvisible() {
		// parts that act pixel by pixel: a ramp, subsampled and upsampled again, must come back exactly
		FloatPlanes image = FloatPlanes.zeros(1, 96, 160);
		for (int y = 0; y < 96; y++)
			for (int x = 0; x < 160; x++) image.set(0, y, x, (x / F) * 0.01f - (y / F) * 0.02f);
		TiledAutoencoder ae = new TiledAutoencoder(F, 3, 1, SUBSAMPLE, UPSAMPLE, 8, 3, 1, 2, Blend.COSINE);
		try (NDManager base = NDManager.newBaseManager()) {
			NDArray z = ae.encode(image, base);
			FloatPlanes back = ae.decode(z);
			for (int i = 0; i < image.data().length; i++) assertEquals(image.data()[i], back.data()[i], 1e-5, "pixel " + i);
		}
	}

	/**
	 * The stand-in model's decoder (GroupNorm, 3x3 convolutions) on a 160x144 latent in the default tiles (128 latent
	 * px, 16 of overlap, margin 4), against one whole-latent pass; also the encoder on the decoded image. The
	 * difference is spread over the whole image, not concentrated at tile edges: it is GroupNorm's per-tile
	 * statistics, and it shrinks with the tile (measured RMS difference / image std: 16% with 32-px latent tiles,
	 * 5.5% with 64, 1.1% with 128).
	 */
	@Test
	void tiledPassesOfTheRealModelMatchTheWholeImagePass() {
		try (ModelBundle bundle = ModelBundle.open(Paths.get(System.getProperty("ldm.models", "models"), "demo"), Device.cpu());
			NDManager base = NDManager.newBaseManager(Device.cpu()))
		{
			int c = bundle.manifest().autoencoder.latentChannels;
			NDArray z = new GaussianNoise(11).initialNoise(base, new Shape(1, c, 144, 160));
			FloatPlanes whole = FloatPlanes.of(bundle.decode(z));
			TiledAutoencoder ae = new TiledAutoencoder(F, c, 1, bundle::encode, bundle::decode, 128, 16, 4, 2, Blend.COSINE);
			FloatPlanes tiled = ae.decode(z);
			double[] d = compare(whole, tiled);
			System.out.println(String.format(Locale.ROOT, "tiled decode vs whole: max |diff| %.4g, RMS diff %.4g, image std %.4g",
				d[0], d[1], d[2]));
			assertTrue(d[1] < 0.02 * d[2], "tiled decode RMS difference " + d[1] + " should stay below 2% of the image's std " + d[2]);
			assertTrue(d[0] < 0.06, "tiled decode max difference " + d[0] + " should stay below 0.06 (3% of the range [-1, 1])");

			FloatPlanes zWhole = FloatPlanes.of(bundle.encode(whole.toNDArray(base)));
			FloatPlanes zTiled = FloatPlanes.of(ae.encode(whole, base));
			double[] e = compare(zWhole, zTiled);
			System.out.println(String.format(Locale.ROOT, "tiled encode vs whole: max |diff| %.4g, RMS diff %.4g, latent std %.4g",
				e[0], e[1], e[2]));
			assertTrue(e[1] < 0.02 * e[2], "tiled encode RMS difference " + e[1] + " should stay below 2% of the latent's std " + e[2]);
		}
	}

	/** [max |a − b|, RMS(a − b), std(a)]. */
	static double[] compare(FloatPlanes a, FloatPlanes b) {
		a.requireSameSize(b);
		double max = 0, sq = 0, sum = 0, sum2 = 0;
		float[] x = a.data(), y = b.data();
		for (int i = 0; i < x.length; i++) {
			double d = x[i] - y[i];
			max = Math.max(max, Math.abs(d));
			sq += d * d;
			sum += x[i];
			sum2 += (double) x[i] * x[i];
		}
		double mean = sum / x.length;
		return new double[] {max, Math.sqrt(sq / x.length), Math.sqrt(sum2 / x.length - mean * mean)};
	}
}
